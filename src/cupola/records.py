"""The records the registry keeps per registration: views (per method),
permissions, content type information."""

from dataclasses import dataclass, field

from cupola.current import type_available


@dataclass
class ViewEntry:
    """One callable answering some methods for a view name."""

    view: object
    permission: str
    template: str = None
    attr: str = None
    origin: str = "?"
    csrf: bool = True          # check the CSRF token on unsafe methods
    conditional: bool = False  # answer If-None-Match with 304
    upgrade_safe: bool = False  # answers unsafe methods while an upgrade is due


@dataclass
class ViewInfo:
    """Everything registered under one (context, layer, name): per method."""

    name: str
    methods: dict = field(default_factory=dict)  # {"GET": ViewEntry}
    accepts_subpath: bool = False

    @property
    def allowed(self):
        return sorted(self.methods)


@dataclass(frozen=True)
class Permission:
    name: str
    title: str
    roles: frozenset = None  # roles granted it where no workflow state says


@dataclass
class TypeInfo:
    """Type information of a content type (see ITypeInfo)."""

    name: str
    factory: object
    schema: object
    title: str
    add_permission: str
    allowed_children: tuple = None
    default_view: str = "view"
    addable: bool = True
    description: str = ""
    icon: str = "document"
    addon: str = None  # the add-on that registered it, None for the core

    def allows(self, type_name):
        """Whether *type_name* may be added inside: it is an allowed child
        and, if an add-on's, that add-on is active in the current site."""
        if (self.allowed_children is not None
                and type_name not in self.allowed_children):
            return False
        return type_available(type_name)
