"""cupola create-addon: the files it writes and its refusals."""

import ast

import pytest

from cupola.cli import main
from cupola.cli.create_addon import names


def test_writes_a_complete_package(tmp_path, capsys):
    assert main(["create-addon", "cupola_recipes", "--type", "RecipeCard",
                 "--title", "Recipes", "--output", str(tmp_path)]) == 0
    project = tmp_path / "cupola_recipes"
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    assert files == ["README.md", "pyproject.toml", "src/cupola_recipes/__init__.py",
                     "src/cupola_recipes/content.py",
                     "src/cupola_recipes/skins/cupola_recipes/recipecard_view.pt",
                     "src/cupola_recipes/views.py", "tests/test_cupola_recipes.py"]
    pyproject = (project / "pyproject.toml").read_text()
    assert 'name = "cupola-recipes"' in pyproject
    assert '[project.entry-points."cupola.addons"]\ncupola_recipes = "cupola_recipes:includeme"' \
        in pyproject
    for path in project.rglob("*.py"):
        ast.parse(path.read_text())  # valid Python
        assert "<<" not in path.read_text()
    init = (project / "src/cupola_recipes/__init__.py").read_text()
    assert 'config.add_addon("cupola_recipes", title="Recipes"' in init
    assert '"RecipeCard", RecipeCard, IRecipeCardSchema, title="Recipe card"' in init
    assert "Created the add-on cupola_recipes" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["create-addon", "Recipes"], "cannot name an add-on"),
    (["create-addon", "json"], "already importable"),
    (["create-addon", "recipes", "--type", "recipe"], "cannot name a content type"),
])
def test_refusals_write_nothing(tmp_path, capsys, argv, message):
    assert main(argv + ["--output", str(tmp_path)]) == 1
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_not_touched(tmp_path, capsys):
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "mine.txt").write_text("keep")
    assert main(["create-addon", "recipes", "--output", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "recipes").iterdir()] == ["mine.txt"]


def test_default_names():
    values = names("cupola_bird_watch")
    assert (values["Type"], values["type_title"], values["title"], values["dist"]) == (
        "BirdWatch", "Bird watch", "Bird Watch", "cupola-bird-watch")
