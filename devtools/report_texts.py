"""Generated report content: figures that keep the validation rules and the parts written around
them. Without Django, so that the load test's Locust users (devtools/locustfile.py, run on load
machines that have only the repository and Locust) write the same reports as the demo data."""

import random

PART_TEMPLATES = {
    "measures_and_results": (
        "{year}年，{name}在县委、县政府的领导下，深入学习贯彻习近平法治思想，落实法治政府建设"
        "各项任务。全年召开专题会议研究法治建设{rule_of_law_meetings}次，党委理论学习中心组集体"
        "学法{leadership_study_sessions}次；{villages_with_legal_advisor}个村（社区）配备法律顾问；"
        "开展普法宣传活动{publicity_events}场次，排查调处矛盾纠纷{disputes_mediated}件，调解成功"
        "{disputes_resolved}件。"
    ),
    "shortcomings": (
        "一是部分干部运用法治思维和法治方式解决问题的能力还不够强；二是执法力量薄弱，"
        "专业执法人员不足；三是普法宣传形式较为传统，群众参与度不高。原因主要在于学法"
        "培训的针对性不强，基层法治队伍建设投入不足。"
    ),
    "leadership_duty": (
        "党（工）委书记、{head}认真履行推进法治建设第一责任人职责，亲自部署法治建设重要工作，"
        "带头参加中心组学法，定期听取法治建设工作汇报，督促班子成员和村（社区）干部依法办事。"
    ),
    "next_year_plan": (
        "{next_year}年，{name}将继续加强法治队伍建设，落实行政执法“三项制度”；深化“八五”普法，"
        "创新宣传方式；健全矛盾纠纷多元化解机制，推动法治政府建设再上新台阶。"
    ),
}


def generated_figures(rng: random.Random, codes: list[str]) -> dict[str, int | None]:
    """Figures that keep the validation rules; a few left unknown, as real reports do."""
    villages = rng.randint(8, 40)
    mediated = rng.randint(20, 500)
    lawsuits = rng.choice([0, 0, 0, 1, 2, 3, 5])
    figures: dict[str, int | None] = {
        "villages_total": villages,
        "villages_with_legal_advisor": rng.randint(villages // 2, villages),
        "gov_legal_advisors": rng.randint(1, 3),
        "legality_reviews": rng.randint(0, 30),
        "rule_of_law_meetings": rng.randint(0, 8),
        "leadership_study_sessions": rng.randint(1, 12),
        "staff_law_trainings": rng.randint(1, 10),
        "staff_exam_participants": rng.randint(20, 150),
        "certified_enforcement_officers": rng.randint(0, 15),
        "legal_consultations": rng.randint(50, 2000),
        "publicity_events": rng.randint(5, 60),
        "publicity_materials": rng.randint(500, 10000),
        "disputes_mediated": mediated,
        "disputes_resolved": rng.randint(int(mediated * 0.8), mediated),
        "admin_lawsuits": lawsuits,
        "head_appearances": rng.randint(0, lawsuits),
        "emergency_drills": rng.randint(0, 6),
    }
    for code in rng.sample(sorted(figures), k=rng.choice([0, 0, 1, 2])):
        if code not in ("villages_total", "disputes_mediated", "admin_lawsuits"):
            figures[code] = None
    return {code: figures.get(code) for code in codes}


def part_texts(*, name: str, head: str, year: int, figures: dict) -> dict[str, str]:
    """The parts of a township's report quoting its figures; `head` is its head's title (镇长 …)."""
    values = {code: ("若干" if v is None else v) for code, v in figures.items()}
    context = {"name": name, "year": year, "next_year": year + 1, "head": head, **values}
    parts = {key: template.format(**context) for key, template in PART_TEMPLATES.items()}
    parts["other"] = ""
    return parts
