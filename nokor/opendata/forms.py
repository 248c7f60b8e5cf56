"""Forms of open data: the catalogue's search and the request for data."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nokor.opendata.models import Dataset, Theme


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(label=_("Search datasets"), required=False, max_length=200)
    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[("", _("All themes")), *Theme.choices]
    )


class DataRequestForm(forms.Form):
    dataset = forms.ModelChoiceField(
        label=_("Which dataset is it about?"),
        queryset=Dataset.objects.none(),
        required=False,
        empty_label=_("None of them, or I don't know"),
        to_field_name="slug",
    )
    what = forms.CharField(
        label=_("What data do you need?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say which figures, for which years and places, and in which detail."),
    )
    purpose = forms.CharField(
        label=_("What will you use it for?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail address"), help_text=_("We answer you at this address."))
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)

    def __init__(self, *args, datasets, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets
        self.fields["dataset"].label_from_instance = lambda dataset: dataset.title
