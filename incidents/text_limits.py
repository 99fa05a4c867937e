"""Length limits on what people write: shown as a counter under each text field, refused by
the form in plain words, and never enforced by cutting text short (docs/limits.md)."""

from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _


class TextLimitValidator(MaxLengthValidator):
    """The length limit, said plainly, with the numbers the user needs to shorten the text."""

    message = _(
        "This is %(length)s characters long, and the most it can hold is %(limit)s. "
        "Please shorten it by %(over)s characters (a long text can also be attached as a file)."
    )

    def __call__(self, value) -> None:
        # Browsers send a line break as CR LF; the person sees, and the counter counts, one.
        length = len(value.replace("\r\n", "\n"))
        if length > self.limit_value:
            numbers = {
                "length": length,
                "limit": self.limit_value,
                "over": length - self.limit_value,
            }
            params = {key: intcomma(number) for key, number in numbers.items()}
            raise ValidationError(self.message, code=self.code, params=params)


# Limits below this are codes and numbers (a sign-in code, a badge number): no counter.
COUNTED_FROM = 100


class LimitedBoundField(BoundField):
    """A text field whose length limit shows as a counter below it (templates/forms/field.html,
    static/js/char-count.js) instead of the browser's maxlength, which cuts pasted text short
    without a word: a longer text is refused by the form, with a message, and kept on the page."""

    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        if self.limit:
            field.validators = [
                TextLimitValidator(v.limit_value) if type(v) is MaxLengthValidator else v
                for v in field.validators
            ]

    @property
    def limit(self) -> int | None:
        """The limit to show, for text the user writes; None for a field the browser fills in
        (a user name, a code), which keeps the browser's own limit."""
        limit = getattr(self.field, "max_length", None)
        widget = self.field.widget
        written = isinstance(widget, forms.TextInput | forms.Textarea)
        if not limit or limit < COUNTED_FROM or not written or "autocomplete" in widget.attrs:
            return None
        return limit

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.limit and self.auto_id:
            attrs["maxlength"] = False  # False leaves the attribute out
            described = [attrs.get("aria-describedby", ""), f"{self.auto_id}_count"]
            attrs["aria-describedby"] = " ".join(filter(None, described))
        return attrs
