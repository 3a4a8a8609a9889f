"""Application code uses libraries only through their public names.

A subclass of a driver's private adapter, an override of a library's private method, or a reach
into `something._conn` works until a minor upgrade renames it, and then breaks at run time. This
walks the syntax tree of every module in our packages and flags:

  (a) imports of a library's private module or name: `from x import _y`, `import x._y`;
  (b) attribute access `something._name` (or `getattr(something, "_name")`) on anything but
      `self`/`cls` or our own modules and classes; on `self` and `super()` too when the name is a
      library parent's;
  (c) a method named `_name` in a class with a library base class: an override of a private hook,
      or a private name of ours where the library keeps its own (the next release may add it).

Dunders Python itself defines (`__name__`, `__init__`, ...) are public; conventions of libraries
spelled like dunders (`__wrapped__`) are not. Run it on any file by hand:
`python -m tests.test_public_api path/to/file.py ...` prints one `file:line:col: finding` each.
"""
from __future__ import annotations

import ast
import builtins
import importlib
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN_PACKAGES = ("bot", "handlers", "views", "images", "db")

# Names Python and its standard library define and document (data model, module attributes,
# dataclasses' __post_init__): public however they look.
LANGUAGE_DUNDERS = frozenset("""
    __name__ __qualname__ __module__ __doc__ __dict__ __class__ __file__ __path__ __package__
    __spec__ __loader__ __all__ __annotations__ __slots__ __bases__ __mro__ __version__ __future__
    __main__ __builtins__ __debug__ __subclasses__ __init__ __new__ __del__ __init_subclass__
    __class_getitem__ __set_name__ __post_init__ __call__ __repr__ __str__ __bytes__ __format__
    __hash__ __bool__ __eq__ __ne__ __lt__ __le__ __gt__ __ge__ __getattr__ __getattribute__
    __setattr__ __delattr__ __dir__ __get__ __set__ __delete__ __len__ __length_hint__ __getitem__
    __setitem__ __delitem__ __missing__ __iter__ __reversed__ __contains__ __next__ __enter__
    __exit__ __aenter__ __aexit__ __aiter__ __anext__ __await__ __add__ __sub__ __mul__ __truediv__
    __floordiv__ __mod__ __pow__ __and__ __or__ __xor__ __neg__ __pos__ __abs__ __int__ __float__
    __index__ __round__ __copy__ __deepcopy__ __reduce__ __getstate__ __setstate__
""".split())

# Bases that only describe types: a `_helper` in such a class overrides nothing.
TYPING_BASES = frozenset({"typing.Generic", "typing.Protocol", "typing.NamedTuple", "typing.TypedDict"})


def is_private(name: str) -> bool:
    if name.startswith("__") and name.endswith("__"):
        return name not in LANGUAGE_DUNDERS
    return name.startswith("_")


def is_own(qualified: str) -> bool:
    return qualified.split(".")[0] in OWN_PACKAGES


def library_defines(qualified_class: str, name: str) -> bool:
    """Whether the (importable) library class has `name` itself, i.e. defining it overrides theirs."""
    module_name, _, class_name = qualified_class.rpartition(".")
    try:
        return hasattr(getattr(importlib.import_module(module_name), class_name), name)
    except (ImportError, AttributeError):
        return False


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


@dataclass
class Module:
    name: str  # dotted, e.g. "db.session"
    path: str
    tree: ast.Module
    imports: dict[str, str] = field(default_factory=dict)  # local name -> what it names, fully qualified
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)  # module-level classes
    functions: set[str] = field(default_factory=set)

    @classmethod
    def parse(cls, source: str, path: str, name: str) -> Module:
        module = cls(name, path, ast.parse(source, filename=path))
        for node in module.tree.body:
            if isinstance(node, ast.ClassDef):
                module.classes[node.name] = node
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                module.functions.add(node.name)
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        module.imports[alias.asname] = alias.name
                    else:  # `import a.b` binds `a`
                        root = alias.name.split(".")[0]
                        module.imports[root] = root
            elif isinstance(node, ast.ImportFrom):
                base = module.absolute(node)
                for alias in node.names:
                    module.imports[alias.asname or alias.name] = f"{base}.{alias.name}"
        return module

    def absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        package = self.name.split(".")
        package = package[: len(package) - node.level]  # a module's own package is one level up
        return ".".join(package + ([node.module] if node.module else []))

    def qualified(self, expr: ast.expr) -> str | None:
        """What a name or dotted expression refers to, through this module's imports."""
        parts = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        name = expr.id
        if name in self.imports:
            head = self.imports[name]
        elif name in self.classes or name in self.functions:
            head = f"{self.name}.{name}"
        elif hasattr(builtins, name):
            head = f"builtins.{name}"
        else:
            return None
        return ".".join([head, *reversed(parts)])


class Project:
    def __init__(self, modules: list[Module]) -> None:
        self.modules = {m.name: m for m in modules}

    def find_class(self, qualified: str) -> tuple[Module, ast.ClassDef] | None:
        module_name, _, class_name = qualified.rpartition(".")
        module = self.modules.get(module_name)
        if module is not None and class_name in module.classes:
            return module, module.classes[class_name]
        # A name re-exported by a package's __init__ (`from db.models import Base` in db/__init__.py).
        if module is not None and class_name in module.imports:
            return self.find_class(module.imports[class_name])
        return None

    def external_base(self, module: Module, node: ast.ClassDef, seen: frozenset[str] = frozenset()) -> str | None:
        """The first library class among `node`'s ancestors, or None if they are all ours or builtins."""
        for base in node.bases:
            if isinstance(base, ast.Subscript):  # Generic[T], SomeBase[Row]
                base = base.value
            qualified = module.qualified(base)
            if qualified is None or qualified.startswith("builtins.") or qualified in TYPING_BASES:
                continue
            if not is_own(qualified):
                return qualified
            if qualified in seen:
                continue
            found = self.find_class(qualified)
            if found is not None:
                library = self.external_base(*found, seen | {qualified})
                if library is not None:
                    return library
        return None

    def check(self) -> list[Finding]:
        findings: list[Finding] = []
        for module in self.modules.values():
            findings += self.check_module(module)
        return sorted(findings)

    def check_module(self, module: Module) -> list[Finding]:
        findings: list[Finding] = []

        def flag(node: ast.AST, message: str) -> None:
            if isinstance(node, ast.Attribute):  # point at the name itself, not where the chain starts
                line, col = node.end_lineno, node.end_col_offset - len(node.attr) + 1
            else:
                line, col = node.lineno, node.col_offset + 1
            findings.append(Finding(module.path, line, col, message))

        # (a) imports
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if not is_own(alias.name) and any(map(is_private, alias.name.split("."))):
                        flag(node, f"imports the private module {alias.name}")
            elif isinstance(node, ast.ImportFrom) and not node.level:
                source = node.module or ""
                if is_own(source):
                    continue
                if any(map(is_private, source.split("."))):
                    flag(node, f"imports from the private module {source}")
                for alias in node.names:
                    if is_private(alias.name):
                        flag(node, f"imports the private name {alias.name} from {source}")

        # (b) attribute access, and (c) private methods in library subclasses, class by class
        def visit(node: ast.AST, library_parent: str | None) -> None:
            if isinstance(node, ast.ClassDef):
                library_parent = self.external_base(module, node)
                if library_parent is not None:
                    for item in node.body:
                        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_private(item.name):
                            if library_defines(library_parent, item.name):
                                flag(item, f"overrides {library_parent}.{item.name}, a private hook")
                            else:
                                flag(item, f"defines {item.name} in a subclass of {library_parent}, "
                                           f"among the library's private names")
            elif isinstance(node, ast.Attribute) and is_private(node.attr):
                owner = node.value
                if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                    if library_parent is not None and library_defines(library_parent, node.attr):
                        flag(node, f"uses {library_parent}.{node.attr}, a private name of the library")
                elif isinstance(owner, ast.Name):
                    qualified = module.qualified(owner)
                    if not (qualified and is_own(qualified)):
                        flag(node, f"reaches into {owner.id}.{node.attr}")
                elif (isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name)
                      and owner.func.id == "super"):
                    if library_parent is not None:
                        flag(node, f"calls {library_parent}'s private super().{node.attr}")
                else:
                    flag(node, f"reaches into {ast.unparse(owner)}.{node.attr}")
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id in ("getattr", "setattr", "hasattr", "delattr") and len(node.args) >= 2
                  and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
                  and is_private(node.args[1].value)
                  and not (isinstance(node.args[0], ast.Name) and node.args[0].id in ("self", "cls"))):
                flag(node, f"reaches into {ast.unparse(node.args[0])}.{node.args[1].value} by {node.func.id}()")
            for child in ast.iter_child_nodes(node):
                visit(child, library_parent)

        visit(module.tree, None)
        return sorted(findings)


def module_name(path: Path) -> str:
    try:
        relative = path.resolve().relative_to(ROOT)
    except ValueError:
        return path.stem
    parts = list(relative.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def our_modules() -> list[Module]:
    paths = sorted(p for package in OWN_PACKAGES for p in (ROOT / package).rglob("*.py"))
    return [Module.parse(p.read_text(), str(p.relative_to(ROOT)), module_name(p)) for p in paths]


def check_source(source: str, name: str = "db.example") -> list[Finding]:
    """Findings for one module's source, seen alongside the real project (for our own classes)."""
    snippet = Module.parse(textwrap.dedent(source), f"{name.replace('.', '/')}.py", name)
    project = Project([*our_modules(), snippet])
    return project.check_module(snippet)


# --- the tests -----------------------------------------------------------------------------------

def test_application_code_uses_only_public_library_names():
    modules = our_modules()
    assert {m.name.split(".")[0] for m in modules} == set(OWN_PACKAGES), "every package was read"
    findings = Project(modules).check()
    assert not findings, "private library names used:\n" + "\n".join(map(str, findings))


def test_the_check_flags_a_driver_built_on_a_private_adapter():
    """The shape of the SQLite driver this project once had (db/sqlite_driver.py)."""
    findings = check_source('''
        from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection
        from sqlalchemy.engine import _py_row
        import telegram._utils.types

        class InlineConnection(AsyncAdapt_aiosqlite_connection):
            def commit(self):
                try:
                    self._connection._conn.commit()
                except Exception as error:
                    self._handle_exception(error)

            def _handle_exception(self, error):
                super()._handle_exception(error)

        def unwrap(handler):
            return handler.__wrapped__, getattr(handler, "_callback")
    ''')
    adapter = "sqlalchemy.dialects.sqlite.aiosqlite.AsyncAdapt_aiosqlite_connection"
    assert [(f.line, f.message) for f in findings] == [
        (3, "imports the private name _py_row from sqlalchemy.engine"),
        (4, "imports the private module telegram._utils.types"),
        (9, f"uses {adapter}._connection, a private name of the library"),
        (9, "reaches into self._connection._conn"),
        (11, f"uses {adapter}._handle_exception, a private name of the library"),
        (13, f"overrides {adapter}._handle_exception, a private hook"),
        (14, f"calls {adapter}'s private super()._handle_exception"),
        (17, "reaches into handler.__wrapped__"),
        (17, "reaches into handler._callback by getattr()"),
    ]
    assert str(findings[3]) == "db/example.py:9:30: reaches into self._connection._conn"


def test_the_check_flags_a_private_override_through_our_own_base_class():
    """A private hook overridden two classes down from the library class still counts."""
    findings = check_source('''
        from telegram.ext import ExtBot

        class QuietBot(ExtBot):
            pass

        class FastBot(QuietBot):
            async def _post(self, endpoint, *args, **kwargs):
                return await super()._post(endpoint, *args, **kwargs)
    ''', name="bot.example")
    assert [(f.line, f.message) for f in findings] == [
        (8, "overrides telegram.ext.ExtBot._post, a private hook"),
        (9, "calls telegram.ext.ExtBot's private super()._post"),
    ]


def test_the_check_flags_a_private_helper_added_to_a_library_class():
    """Not an override today, but it shares the namespace where the library keeps its own private
    names: a release that adds the same name makes the library call ours."""
    findings = check_source('''
        from pydantic_settings import BaseSettings

        class Settings(BaseSettings):
            def _known_zone(cls, value):
                return value
    ''', name="bot.example")
    assert [(f.line, f.message) for f in findings] == [
        (5, "defines _known_zone in a subclass of pydantic_settings.BaseSettings, among the library's private names"),
    ]


def test_the_check_leaves_our_own_private_names_and_language_dunders_alone():
    findings = check_source('''
        from __future__ import annotations

        from db import session
        from db.session import Database

        class Cache:
            def _load(self):
                return self._items, type(self).__name__, self.__class__.__dict__

        class Base(Cache):
            def _load(self):
                return super()._load()

        class Failure(Exception):
            def _describe(self):
                return str(self)

        def peek(db: Database):
            return session._no_lock, Database._sessions, __file__
    ''')
    assert findings == []


def main(paths: list[str]) -> int:
    project = Project(our_modules())
    findings = []
    for path in map(Path, paths):
        module = Module.parse(path.read_text(), str(path), module_name(path))
        findings += project.check_module(module)
    for finding in sorted(findings):
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
