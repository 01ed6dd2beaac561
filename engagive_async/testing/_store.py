"""FakeEngagive's data: templates, their contents, and the lookups, seeded like the docs.

Objects are plain dicts in the wire's own field names, so serving one is ``json.dumps``. Every
account the token may use sees the same data (one organisation).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Store"]

_CATEGORIES = [
    {"code": "MARKETING", "label": "Marketing"},
    {"code": "UTILITY", "label": "Utility"},
    {"code": "AUTHENTICATION", "label": "Authentication"},
]
_OPTIONS = {
    "MARKETING": [{"code": "STANDARD", "label": "Standard message", "category_code": "MARKETING"}],
    "UTILITY": [{"code": "STANDARD", "label": "Standard message", "category_code": "UTILITY"}],
    "AUTHENTICATION": [
        {
            "code": "ONE_TIME_PASSWORD",
            "label": "One-time passcode",
            "category_code": "AUTHENTICATION",
        }
    ],
}
_PARAMETER_FORMATS = [
    {"code": "POSITIONAL", "label": "Positional ({{1}}, {{2}}, ...)"},
    {"code": "NAMED", "label": "Named ({{first_name}}, ...)"},
]
_LANGUAGES = [{"code": "en", "label": "English"}, {"code": "en_US", "label": "English (US)"}]


class Store:
    """The fake's data. Templates are served newest first.

    Args:
        seed: add the docs' example data (template ``order_shipped``, id 101, with its ``en``
            content, id 501).
    """

    def __init__(self, *, seed: bool = True) -> None:
        self.categories = [dict(c) for c in _CATEGORIES]
        self.options = {code: [dict(o) for o in opts] for code, opts in _OPTIONS.items()}
        self.parameter_formats = [dict(f) for f in _PARAMETER_FORMATS]
        self.languages = [dict(lang) for lang in _LANGUAGES]
        #: code -> template, oldest first (dicts keep insertion order).
        self.templates: dict[str, dict[str, Any]] = {}
        #: template code -> lang code -> content.
        self.contents: dict[str, dict[str, dict[str, Any]]] = {}
        #: template code -> the id Meta gave it on its first submit.
        self.meta_template_ids: dict[str, str] = {}
        self._next_template_id = 101
        self._next_content_id = 501
        self._newest_first: list[dict[str, Any]] | None = None
        if seed:
            self.add_template(
                "order_shipped",
                name="Order shipped",
                category_code="UTILITY",
                option_code="STANDARD",
                parameter_format_code="POSITIONAL",
                status="approved",
            )
            self.add_content("order_shipped", "en", text="Hi {{1}}, your order is on the way!")

    def add_template(self, code: str, **fields: Any) -> dict[str, Any]:
        """Store a template (it becomes the newest) and return it.

        Unnamed fields default to an approved UTILITY / STANDARD / POSITIONAL template with the
        next free id; ``fields`` may set any of them or add others.

        Raises:
            ValueError: a template with this code exists already.
        """
        if code in self.templates:
            raise ValueError(f"template {code!r} exists already")
        template: dict[str, Any] = {
            "id": self._next_template_id,
            "code": code,
            "name": code.replace("_", " ").capitalize(),
            "category_code": "UTILITY",
            "option_code": "STANDARD",
            "parameter_format_code": "POSITIONAL",
            "status": "approved",
        }
        template.update(fields)
        template["code"] = code
        if isinstance(template["id"], int):
            self._next_template_id = max(self._next_template_id, template["id"] + 1)
        self.templates[code] = template
        self.contents[code] = {}
        self._newest_first = None
        return template

    def seed_templates(self, n: int, prefix: str = "tpl_") -> list[dict[str, Any]]:
        """Add ``n`` templates named ``<prefix>00001``... (the last one is the newest)."""
        width = max(5, len(str(n)))
        return [self.add_template(f"{prefix}{i:0{width}d}") for i in range(1, n + 1)]

    def newest_first(self) -> list[dict[str, Any]]:
        """Every template, newest first (kept until the next insertion)."""
        if self._newest_first is None:
            self._newest_first = list(reversed(self.templates.values()))
        return self._newest_first

    def template(self, code: str) -> dict[str, Any] | None:
        """The template with this code, or ``None``."""
        return self.templates.get(code)

    def add_content(
        self, template_code: str, lang_code: str, *, text: str, is_draft: bool = True, **fields: Any
    ) -> dict[str, Any]:
        """Store one language's content of a template and return it.

        Raises:
            ValueError: no such template, or this language has content already.
        """
        contents = self.contents.get(template_code)
        if contents is None:
            raise ValueError(f"no template {template_code!r}")
        if lang_code in contents:
            raise ValueError(f"template {template_code!r} has {lang_code!r} content already")
        content: dict[str, Any] = {
            "id": self._next_content_id,
            "lang_code": lang_code,
            "text": text,
            "is_draft": is_draft,
        }
        content.update(fields)
        content["lang_code"] = lang_code
        if isinstance(content["id"], int):
            self._next_content_id = max(self._next_content_id, content["id"] + 1)
        contents[lang_code] = content
        return content
