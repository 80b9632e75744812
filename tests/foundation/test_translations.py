"""French everywhere (issue 13 item 5): every visible string is marked for translation and translated.

Four checks, none of which needs the database:
- every French catalogue compiles with `msgfmt -c --statistics` and reports no untranslated or fuzzy message;
- every msgid the code marks (`gettext`, `_`, `{% translate %}`, `{% blocktranslate %}`, as `makemessages`
  extracts them) has a non-empty French msgstr in one of the project's catalogues (Django's own catalogues
  count: they translate its forms and admin at run time);
- templates: text a reader sees (text nodes and the `title`, `alt`, `placeholder`, `aria-label` attributes,
  every line of a plain-text e-mail) stands inside `{% translate %}` / `{% blocktranslate %}`, except the
  symbols, codes and proper names of `TEMPLATE_ALLOWED` and the templates written once per language
  (`*_fr.*`, `*_en.*`) or in both languages on purpose (`BILINGUAL_TEMPLATES`);
- Python: see `test_python_user_facing_strings_are_marked`."""

from __future__ import annotations

import ast
import re
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import django
from django.utils import translation
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "node_modules", "tests", "bench", "migrations", "infra", "staticfiles", "htmlcov"}
XGETTEXT_KEYWORDS = ["--keyword=gettext_noop", "--keyword=gettext_lazy", "--keyword=ngettext_lazy:1,2",
                     "--keyword=pgettext:1c,2", "--keyword=npgettext:1c,2,3", "--keyword=pgettext_lazy:1c,2",
                     "--keyword=npgettext_lazy:1c,2,3", "--keyword=_", "--keyword=gettext",
                     "--keyword=ngettext:1,2"]


def project_files(*suffixes: str) -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in parts[:-1]):
            continue
        if path.suffix in suffixes and path.is_file():
            found.append(path)
    return sorted(found)


def french_catalogues(domain: str = "django") -> list[Path]:
    return [path for path in project_files(".po") if path.parts[-3:] == ("fr", "LC_MESSAGES", f"{domain}.po")]


def template_files() -> list[Path]:
    return [path for path in project_files(".html", ".txt", ".xml", ".svg") if "templates" in path.parts]


# --- Catalogues -----------------------------------------------------------------------------------------


def test_every_french_catalogue_is_complete_and_compiles() -> None:
    catalogues = french_catalogues() + french_catalogues("djangojs")
    assert len(catalogues) >= 10
    for catalogue in catalogues:
        result = subprocess.run(["msgfmt", "-c", "--statistics", "-o", "/dev/null", str(catalogue)],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, (catalogue, result.stderr)
        statistics = result.stderr.strip().splitlines()[-1]  # header warnings come first
        assert re.fullmatch(r"\d+ translated messages?\.", statistics), (catalogue, statistics)
        compiled = catalogue.with_suffix(".mo")
        assert compiled.exists() and compiled.stat().st_mtime >= catalogue.stat().st_mtime - 1, \
            f"{compiled} is older than its catalogue: run msgfmt -o {compiled.name} {catalogue.name}"


def _untranslated(pot: Path, catalogues: list[Path], work: Path) -> list[str]:
    merged, updated = work / "merged.po", work / "updated.po"
    subprocess.run(["msgcat", "--use-first", "-o", str(merged), *map(str, catalogues)], check=True)
    subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "--no-wrap", "-o", str(updated), str(merged),
                    str(pot)], check=True)
    missing = subprocess.run(["msgattrib", "--untranslated", "--no-obsolete", "--no-wrap", str(updated)],
                             capture_output=True, text=True, check=True).stdout
    ids = re.findall(r'^msgid "(.+)"$', missing, flags=re.M)
    return [msgid.encode().decode("unicode_escape").encode("latin-1").decode() for msgid in ids]


def test_every_marked_string_has_a_french_translation() -> None:
    django.setup()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sources = [str(path) for path in project_files(".py")]
        for template in template_files():
            flat = work / (str(template.relative_to(ROOT)).replace("/", "__") + ".py")
            flat.write_text(templatize(template.read_text(), origin=str(template)))
            sources.append(str(flat))
        pot = work / "django.pot"
        subprocess.run(["xgettext", "-d", "django", "--language=Python", "--from-code=UTF-8", "--no-wrap",
                        "-o", str(pot), *XGETTEXT_KEYWORDS, *sources], check=True)
        untranslated = _untranslated(pot, french_catalogues(), work)
    with translation.override("fr"):  # what Django's own catalogues translate is French at run time
        missing = [msgid for msgid in untranslated if translation.gettext(msgid) == msgid]
    assert missing == [], "marked but not in any French catalogue:\n" + "\n".join(missing)


def test_every_javascript_string_has_a_french_translation() -> None:
    scripts = [path for path in project_files(".js") if "static" in path.parts and "vendor" not in path.parts]
    assert scripts
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pot = work / "djangojs.pot"
        subprocess.run(["xgettext", "-d", "djangojs", "--language=JavaScript", "--from-code=UTF-8", "--no-wrap",
                        "--keyword=gettext_noop", "--keyword=gettext_lazy", "--keyword=ngettext_lazy:1,2",
                        "--keyword=pgettext:1c,2", "--keyword=npgettext:1c,2,3", "--keyword=gettext",
                        "--keyword=ngettext:1,2", "--keyword=interpolate:0", "-o", str(pot),
                        *map(str, scripts)], check=True)
        assert pot.exists(), "no JavaScript string is marked for translation"
        missing = _untranslated(pot, french_catalogues("djangojs"), work)
    assert missing == [], "JavaScript strings without a French translation:\n" + "\n".join(missing)


# --- Templates ------------------------------------------------------------------------------------------

# Text that reads the same in both languages: symbols, units, codes, acronyms, the names of the languages
# as their speakers write them (the language menus), and a few identifiers shown as such.
TEMPLATE_ALLOWED = {
    "English", "Français", "OK", "PDF", "CSV", "TXT", "HTTP", "ms", "SHA", "SIREN", "SPOC", "MOOC", "mk",
    "Europe", "Paris",  # the time zone's name, Europe/Paris
}
# E-mails and pages that carry both languages on purpose: legal notices of the contract (invoicing, the
# French text prevails, GCS), and the maintenance page, served during a window without a session or user.
BILINGUAL_TEMPLATES = {
    "invoicing/templates/invoicing/emails/invoice_formal_notice",
    "invoicing/templates/invoicing/emails/invoice_issued",
    "invoicing/templates/invoicing/emails/invoice_reminder",
    "invoicing/templates/invoicing/emails/non_payment_warning",
    "invoicing/templates/invoicing/emails/plan_retired",
    "invoicing/templates/invoicing/emails/plan_retirement_reminder",
    "invoicing/templates/invoicing/emails/quote_sent",
    "maintenance/templates/maintenance/maintenance_page",
}
_TEMPLATE_TAG = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#})", re.S)
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ-]*[A-Za-zÀ-ÿ]|[A-Za-zÀ-ÿ]{2,}")
_VISIBLE_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label"}
_HIDDEN_TAGS = ("script", "style", "code", "kbd", "samp")  # code shows identifiers as they are written


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        kind = dict(attrs).get("type")
        for name, value in attrs:
            if value and (name in _VISIBLE_ATTRIBUTES or (tag == "input" and name == "value"
                                                          and kind in ("submit", "button"))):
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.texts.append(data)


def untranslated_template_text(source: str, *, html: bool) -> list[str]:
    """The words of `source` a reader sees that stand outside the translation tags and the allow-list."""
    kept, in_blocktranslate, in_comment = [], 0, 0
    for part in _TEMPLATE_TAG.split(source):
        if part.startswith("{%"):
            name = (part[2:-2].split() or [""])[0]
            in_blocktranslate += {"blocktranslate": 1, "blocktrans": 1, "endblocktranslate": -1,
                                  "endblocktrans": -1}.get(name, 0)
            in_comment += {"comment": 1, "endcomment": -1}.get(name, 0)
            kept.append(" ")
        elif part.startswith(("{{", "{#")) or in_blocktranslate or in_comment:
            kept.append(" ")
        else:
            kept.append(part)
    text = "".join(kept)
    if html:
        parser = _VisibleText()
        parser.feed(text)
        parser.close()
        texts = parser.texts
    else:
        texts = text.splitlines()
    return [word for chunk in texts for word in _WORD.findall(chunk) if word not in TEMPLATE_ALLOWED]


def test_template_text_is_marked_for_translation() -> None:
    offenders = {}
    for path in template_files():
        relative = str(path.relative_to(ROOT))
        stem = relative.rsplit(".", 1)[0]
        if stem.endswith(("_fr", "_en")) or stem in BILINGUAL_TEMPLATES:
            continue
        words = untranslated_template_text(path.read_text(), html=path.suffix != ".txt")
        if words:
            offenders[relative] = words
    assert offenders == {}


def test_the_template_check_finds_text_outside_the_translation_tags() -> None:
    source = ('{% load i18n %}<h1>{% translate "Welcome" %}</h1><p title="Open it">Read me {{ name }}</p>'
              '{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}<script>const a = "b";</script>'
              '<span>{{ price|localized:"money" }} · SPOC</span>{% comment %}note{% endcomment %}')
    assert untranslated_template_text(source, html=True) == ["Open", "it", "Read", "me"]
    assert untranslated_template_text("{% translate 'Hi' %}\nSee you\n", html=False) == ["See", "you"]


def test_bilingual_templates_exist() -> None:
    for stem in BILINGUAL_TEMPLATES:
        assert list(ROOT.glob(f"{stem}.*")), stem


# --- Python ---------------------------------------------------------------------------------------------

# The heuristic: a string literal with words, not wrapped in a gettext call, is a finding when it is
# - the `label`, `help_text`, `verbose_name(_plural)` (or a model field's first argument), `empty_label` or
#   `placeholder` of a field or form
#   (the console's admin pages show models' help texts and names);
# - the message of an `ApplicationError` (or subclass) or a `ValidationError`: pages show it (STYLE 6);
# - a `messages.success/info/warning/error` message or a form's `add_error` message;
# - the label of a `TextChoices` / `IntegerChoices` member.
# f-strings count when their own text has words (`f"{field}: {error}"` only joins translated parts).
# Out of scope: the API modules (`apis.py`, `apis/`, `events.py`, `openapi.py`: their help texts document the
# API for developers, in English like the OpenAPI schema), management commands, settings and migrations,
# and exceptions meant for developers (`ValueError`, `RuntimeError`: never shown to a user).
PYTHON_SKIPPED_DIRS = SKIPPED_DIRS | {"management", "settings"}
API_MODULES = re.compile(r"(^|/)(apis(/|\.py$)|events\.py$|openapi\.py$)")
_LETTERS = re.compile(r"[A-Za-z]{2,}")
_UI_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label", "placeholder"}
_RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}  # their first argument is a model
_ERROR_BASES = {"ApplicationError", "NotFoundError", "ForbiddenError", "ConflictError", "ValidationError"}


def _unmarked(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and _LETTERS.search(node.value):
        return node.value
    if isinstance(node, ast.JoinedStr):
        words = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        return ast.unparse(node) if _LETTERS.search(words) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _unmarked(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _unmarked(node.func.value)
    return None


def _name(node: ast.AST | None) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """ApplicationError, ValidationError and every class of the project derived from them, by name."""
    found, grew = set(_ERROR_BASES), True
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in found and \
                        any(_name(base) in found for base in node.bases):
                    found.add(node.name)
                    grew = True
    return found


def unmarked_python_strings(sources: dict[str, str]) -> list[str]:
    """`path:line text` of each user-facing literal of `sources` (path → code) not marked for translation."""
    trees = {path: ast.parse(code) for path, code in sources.items()}
    errors = _error_classes(list(trees.values()))
    findings = []
    for path, tree in trees.items():
        documented_api = bool(API_MODULES.search(path))
        for node in ast.walk(tree):
            texts: list[str | None] = []
            if isinstance(node, ast.Call):
                called = _name(node.func)
                if not documented_api:
                    texts += [_unmarked(keyword.value) for keyword in node.keywords if keyword.arg in _UI_KEYWORDS]
                    if called.endswith("Field") and called not in _RELATION_FIELDS and node.args:
                        texts.append(_unmarked(node.args[0]))  # a model field's verbose name
                    if called in errors and node.args:
                        texts.append(_unmarked(node.args[0]))
                if called in {"success", "info", "warning", "error"} and len(node.args) >= 2 \
                        and _name(getattr(node.func, "value", None)) == "messages":
                    texts.append(_unmarked(node.args[1]))
                if called == "add_error" and len(node.args) >= 2:
                    texts.append(_unmarked(node.args[1]))
            elif isinstance(node, ast.ClassDef) and any(_name(base) in {"TextChoices", "IntegerChoices"}
                                                        for base in node.bases):
                texts += [_unmarked(statement.value.elts[-1]) for statement in node.body
                          if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple)
                          and len(statement.value.elts) >= 2]
            findings += [f"{path}:{getattr(node, 'lineno', 0)} {text}" for text in texts if text]
    return findings


def test_python_user_facing_strings_are_marked() -> None:
    sources = {}
    for path in project_files(".py"):
        relative = path.relative_to(ROOT)
        if not any(part in PYTHON_SKIPPED_DIRS for part in relative.parts[:-1]):
            sources[str(relative)] = path.read_text()
    assert len(sources) > 100
    assert unmarked_python_strings(sources) == []


def test_the_python_check_finds_unmarked_strings() -> None:
    code = '''
from django import forms
from django.db import models
from django.utils.translation import gettext as _
from mooc_platform.errors import ApplicationError

class QuoteError(ApplicationError):
    pass

class Kind(models.TextChoices):
    A = "a", "Plain label"
    B = "b", _("Marked label")

class Form(forms.Form):
    name = forms.CharField(label="Your name", help_text=_("As on your ID card"))
    note = models.TextField("internal note")
    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE)

def service(x):
    if x:
        raise QuoteError(f"The quote {x} is frozen.")
    raise QuoteError(_("Marked message."))

def view(request, form, errors):
    messages.success(request, "Saved.")
    form.add_error(None, f"{errors}: {form}")
    raise ValueError("a programming error, for developers")
'''
    found = unmarked_python_strings({"app/services.py": code, "app/apis.py": 'X(label="API doc")'})
    assert sorted(found) == ["app/services.py:10 Plain label", "app/services.py:15 Your name",  # the class's line
                             "app/services.py:16 internal note", "app/services.py:21 f'The quote {x} is frozen.'",
                             "app/services.py:25 Saved."], found
