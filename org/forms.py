"""The administrator's form for a new account (role and place in one step)."""

from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from .models import City, County, Membership, Township
from .selectors import PlaceChoices

NO_PLACE = "（请先在上方选择所在的省、市、县）"


class NewAccountForm(forms.Form):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="登录时使用，可用字母、数字和 @ . + - _，例如 lianchi01。",
    )
    full_name = forms.CharField(label="姓名或称呼", max_length=150)
    role = forms.ChoiceField(label="角色", choices=Membership.Role.choices)
    township = forms.ModelChoiceField(
        label="所属乡镇（街道）",
        queryset=Township.objects.select_related("county").order_by("county", "order", "name"),
        required=False,
        help_text="乡镇填报员必选。",
    )
    county = forms.ModelChoiceField(
        label="所属县（市、区）",
        queryset=County.objects.order_by("province", "city", "name"),
        required=False,
        help_text="县级审核员必选。",
    )
    city = forms.ModelChoiceField(
        label="所属市（州、盟）",
        queryset=City.objects.order_by("province", "name"),
        required=False,
        help_text="市级审核员必选。",
    )
    email = forms.EmailField(label="电子邮箱（可不填）", required=False)

    def __init__(self, *args: Any, place: PlaceChoices | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # With the whole country loaded the three lists would hold 40,000 townships and 3,000
        # counties: each offers only the place chosen above (a province's cities, a city's
        # counties, a county's townships). A submitted choice is still checked against every
        # row, one query each, so a place picked before the list was narrowed stays valid.
        place = place or PlaceChoices([], [], [])
        offered: dict[str, list[Any]] = {
            "city": list(City.objects.filter(province=place.province).order_by("name"))
            if place.province
            else [],
            "county": place.counties,
            "township": list(place.county.townships.order_by("order", "name"))
            if place.county is not None
            else [],
        }
        for name, rows in offered.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.widget.choices = [("", "请选择" if rows else NO_PLACE)] + [
                (row.pk, str(row)) for row in rows
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role, township, county = data.get("role"), data.get("township"), data.get("county")
        city = data.get("city")
        if role == Membership.Role.CLERK:
            if township is None:
                self.add_error("township", "乡镇填报员须选择所属乡镇（街道）。")
            data["county"] = data["city"] = None
        elif role == Membership.Role.REVIEWER:
            if county is None:
                self.add_error("county", "县级审核员须选择所属县（市、区）。")
            data["township"] = data["city"] = None
        elif role == Membership.Role.CITY_REVIEWER:
            if city is None:
                self.add_error("city", "市级审核员须选择所属市（州、盟）。")
            data["township"] = data["county"] = None
        else:
            data["township"] = data["county"] = data["city"] = None
        return data
