"""evaluate_reading: figures right and wrong per element, township and year, from a labels file."""

import json
from io import StringIO

from django.core.management import call_command


def test_right_missed_and_wrong_figures_are_counted(db, tmp_path):
    (tmp_path / "a.txt").write_text(
        "莲池镇2023年法治政府建设情况报告\n全年排查调处矛盾纠纷120件，调解成功118件。"
        "镇政府聘请法律顾问2名。",
        encoding="utf-8",
    )
    labels = {
        "_about": "test",
        "a.txt": {
            "township": "莲池镇",
            "year": 2023,
            # 118 is right; 120 is labelled as another value (so given wrong); the legal advisors
            # are not labelled (given wrong); the emergency drills are labelled but missed.
            "metrics": {
                "disputes_resolved": [118],
                "disputes_mediated": [100],
                "emergency_drills": [3],
            },
        },
    }
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")

    out = StringIO()
    call_command("evaluate_reading", str(path), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["figures"] == {"labelled": 3, "right": 1, "wrong": 2, "to_check": 0}
    assert result["elements"]["gov_legal_advisors"] == {"labelled": 0, "right": 0, "wrong": 1}
    assert (result["township_right"], result["year_right"], result["count"]) == (1, 1, 1)

    out = StringIO()
    call_command("evaluate_reading", str(path), "--details", stdout=out)
    text = out.getvalue()
    assert "数字：标注 3，正确 1（33.3%），错值 2（66.7%）" in text
    assert "乡镇：1/1（100.0%）；年度：1/1（100.0%）" in text
    assert "a.txt: 漏 emergency_drills=[3]" in text
