"""Write a new add-on package that works at once: a pyproject with the
``cupola.addons`` entry point, an includeme, a content type with a schema, a
view with its template in the add-on's skin layer, and a test.

  cupola create-addon recipes --type Recipe
  cd recipes && pip install -e '.[test]' && pytest tests
"""

import importlib.util
import os
import re
import shutil
import tempfile
from pathlib import Path

from cupola.exceptions import CupolaError

TEMPLATE = Path(__file__).parent / "addon_template"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
TYPE = re.compile(r"^[A-Z][A-Za-z0-9]{0,62}$")


def add_arguments(parser):
    parser.add_argument("name", metavar="NAME",
                        help="the add-on's package and name: lower case, digits, _ "
                             "(e.g. recipes or cupola_recipes)")
    parser.add_argument("--type", dest="type_name", metavar="TYPE",
                        help="name of its content type, e.g. Recipe "
                             "(default: NAME in CamelCase)")
    parser.add_argument("--title", help="title shown to people (default: from NAME)")
    parser.add_argument("--output", default=".", metavar="DIR",
                        help="where to create the project folder (default: here)")


def names(name, type_name=None, title=None):
    """The replacements for the template's <<tokens>>; raises CupolaError."""
    if not NAME.match(name or "") or name == "cupola":
        raise CupolaError(f"{name!r} cannot name an add-on: use lower case letters, "
                          "digits and _, starting with a letter (e.g. recipes).")
    if importlib.util.find_spec(name) is not None:
        raise CupolaError(f"A module called {name!r} is already importable here; "
                          "choose another name so the add-on does not hide it.")
    short = name[7:] if name.startswith("cupola_") and len(name) > 7 else name
    type_name = type_name or "".join(p.capitalize() for p in short.split("_") if p)
    if not TYPE.match(type_name):
        raise CupolaError(f"{type_name!r} cannot name a content type: use CamelCase "
                          "letters and digits (e.g. Recipe).")
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", type_name)
    return {
        "pkg": name, "dist": name.replace("_", "-"),
        "title": title or short.replace("_", " ").title(),
        "Type": type_name, "type_title": words[0] + words[1:].lower(),
        "type_lower": type_name.lower(),
    }


def target_path(relative, values):
    parts = list(Path(relative).parts)
    parts[-1] = parts[-1].removesuffix(".tmpl")
    renames = {"package": values["pkg"], "layer": values["pkg"],
               "type_view.pt": f"{values['type_lower']}_view.pt",
               "test_addon.py": f"test_{values['pkg']}.py"}
    return Path(*[renames.get(p, p) for p in parts])


def render(text, values):
    for key, value in values.items():
        text = text.replace(f"<<{key}>>", value)
    left = re.search(r"<<\w+>>", text)
    if left is not None:
        raise CupolaError(f"the add-on template has an unknown token {left.group()}")
    return text


def create(name, output=".", type_name=None, title=None):
    """Write the project; return its folder. Nothing is left behind on error."""
    values = names(name, type_name, title)
    project = Path(output).resolve() / values["pkg"]
    if project.exists():
        raise CupolaError(f"{project} already exists; choose another name or --output.")
    if not project.parent.is_dir():
        raise CupolaError(f"{project.parent} is not a folder.")
    work = Path(tempfile.mkdtemp(prefix=".cupola-addon-", dir=project.parent))
    try:
        for source in sorted(TEMPLATE.rglob("*.tmpl")):
            target = work / target_path(source.relative_to(TEMPLATE), values)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render(source.read_text(encoding="utf-8"), values),
                              encoding="utf-8")
        os.rename(work, project)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return project


def run(args):
    project = create(args.name, args.output, args.type_name, args.title)
    print(f"Created the add-on {args.name} in {project}")
    for path in sorted(p for p in project.rglob("*") if p.is_file()):
        print(f"  {path.relative_to(project)}")
    print("Next:\n"
          f"  cd {project}\n"
          "  pip install -e '.[test]'   (in the environment that runs Cupola)\n"
          "  pytest tests\n"
          f"  cupola addons activate {args.name}   (after restarting Cupola)")
    return 0
