"""The rules for council prose (councilkg.sources.councilprose): one test per way of writing a post, a grade or a visit,
each on literal examples."""

from __future__ import annotations

import pytest

from councilkg.sources.councilprose import (
    clean_name,
    display_name,
    judgements_in,
    name_key,
    posts_in,
    role_of,
    visits_in,
)


def _posts(text: str) -> set[tuple[str, str, str]]:
    """(name as written, title as written, role) of every post found."""
    return {(p.name, p.title, p.role) for p in posts_in(text)}


# --------------------------------------------------------------------------------------------
# Posts, pattern by pattern
# --------------------------------------------------------------------------------------------

POSTS = [
    pytest.param("The Chair invited Hillary Brooks, Executive Director – Children’s Services, to address the panel.",
                 {("Hillary Brooks", "Executive Director – Children’s Services", "dcs")}, id="name, title"),
    pytest.param("Contact: Darryl Freeman, Corporate Director, Children and Young People Email: d@x.gov.uk, Rachel Gillott, "
                 "Service Director, Safeguarding and Family Support Email: r@x.gov.uk.",
                 {("Darryl Freeman", "Corporate Director, Children and Young People", "dcs"),
                  ("Rachel Gillott", "Service Director, Safeguarding and Family Support", "director")},
                 id="contact: name, title with a comma, and a second"),
    pytest.param("invited Councillor Paffey, the Cabinet Member for Aspiration, Children and Lifelong Learning and Jane Roe, "
                 "Director of Children’s Services, to speak",
                 {("Councillor Paffey", "Cabinet Member for Aspiration, Children and Lifelong Learning", "lead-member"),
                  ("Jane Roe", "Director of Children’s Services", "dcs")}, id="councillor surname, cabinet member for"),
    pytest.param("Cllr Liz Terry, Reading’s Lead Councillor for Children’s Services, said:",
                 {("Cllr Liz Terry", "Lead Councillor for Children’s Services", "lead-member")}, id="cllr, authority's title"),
    pytest.param("Councillor Kevin Bentley, Essex County Council Leader, added:",
                 {("Councillor Kevin Bentley", "Essex County Council Leader", "leader")}, id="councillor, council leader"),
    pytest.param("Councillor Jonathan Pryor, Executive Member for Economy, Culture and Education",
                 {("Councillor Jonathan Pryor", "Executive Member for Economy, Culture and Education", "cabinet-member")},
                 id="a portfolio other than children's"),
    pytest.param("Councillor Ayfer Orhan (Cabinet Member for Education, Children’s Services and Protection) introduced the report",
                 {("Councillor Ayfer Orhan", "Cabinet Member for Education, Children’s Services and Protection", "lead-member")},
                 id="name (title)"),
    pytest.param("welcome John Goldup (Children’s Services Intervention Advisor appointed by the Department for Education and "
                 "Chair of the Improvement Board), to the meeting",
                 {("John Goldup", "Children’s Services Intervention Advisor appointed by the Department for Education",
                   "improvement-adviser"), ("John Goldup", "Chair of the Improvement Board", "board-chair")},
                 id="name (two titles)"),
    pytest.param("Shirley Bailey (Senior HMI Ofsted) described the process.",
                 {("Shirley Bailey", "Senior HMI Ofsted", "inspector")}, id="name (inspector)"),
    pytest.param("The report was presented by the Director of Children's Services (Jane Smith) and noted.",
                 {("Jane Smith", "Director of Children's Services", "dcs")}, id="title (name)"),
    pytest.param("The Secretary of State appointed an independent chair, Edwina Grant OBE, to lead the board.",
                 {("Edwina Grant OBE", "independent chair", "board-chair")}, id="title, name with a suffix"),
    pytest.param("In a letter to Middlesbrough Mayor Chris Cooke, the minister wrote.",
                 {("Chris Cooke", "Mayor", "leader")}, id="title name"),
    pytest.param("The Department for Education deployed a formidable yet fair Commissioner in Frankie Sulke who helped us.",
                 {("Frankie Sulke", "Commissioner", "commissioner")}, id="commissioner in name"),
    pytest.param("Councillor Kieran Heakin with Gail Hopper Director of Children's services.",
                 {("Gail Hopper", "Director of Children's services", "dcs")}, id="name title, no comma"),
    pytest.param("Janet Daby MP. Minister for Children and Families, said:",
                 {("Janet Daby MP", "Minister for Children and Families", "minister")}, id="name MP. minister"),
    pytest.param("Ade Adetosoye OBE, now Interim Chief Executive, joined the authority",
                 {("Ade Adetosoye OBE", "Interim Chief Executive", "chief-executive")}, id="name OBE, now interim title"),
    pytest.param("Professor Ray Jones, independent chair of the Children's Improvement Board, said",
                 {("Professor Ray Jones", "independent chair of the Children's Improvement Board", "board-chair")},
                 id="professor, independent chair of"),
    pytest.param("Dr Jane Roe, Acting Director of Children's Services, reported",
                 {("Dr Jane Roe", "Acting Director of Children's Services", "dcs")}, id="dr, acting title"),
    pytest.param("LEAD OFFICER: Jane Roe\nCABINET MEMBER: Cllr A Person", {("Jane Roe", "Lead Officer", "officer")},
                 id="LEAD OFFICER:"),
    pytest.param("LEAD OFFICER:\tBarbara Peacock Executive Director (People)\n",
                 {("Barbara Peacock", "Executive Director (People)", "dcs")}, id="LEAD OFFICER: name title"),
    pytest.param("a real feather in the cap for Robert Henderson, almost a year exactly since he took up the post of "
                 "executive director at the council.", {("Robert Henderson", "executive director", "director")},
                 id="name … took up the post of title"),
    pytest.param("CONTACT OFFICER: Jane Roe\n", {("Jane Roe", "Contact Officer", "officer")}, id="CONTACT OFFICER:"),
    pytest.param("Report author: Jane Roe\n", {("Jane Roe", "Report Author", "officer")}, id="Report author:"),
    pytest.param("Officer: Robert Henderson\n\nKey decision: no", {("Robert Henderson", "Officer", "officer")},
                 id="Officer: name, the next line not part of it"),
    pytest.param("For further information (Jane Roe – 020 8726 6000) ask.", {("Jane Roe", "Contact officer", "officer")},
                 id="(name – phone)"),
    pytest.param("Andrew Ireland had served the board very well as an independent chair, and was thanked.",
                 {("Andrew Ireland", "independent chair", "board-chair")}, id="name served as title"),
    pytest.param("joined by partners who sat on the Local Safeguarding Children Board (LSCB): Chief Inspector Jim Reeves "
                 "(Thames Valley Police), Jane Wood (Slough Borough Council), along with Helen Gore (LSCB Business Manager).",
                 {("Jim Reeves", "Chief Inspector", "board-member"), ("Jane Wood", "member", "board-member"),
                  ("Helen Gore", "LSCB Business Manager", "officer")}, id="sat on the board: name (organisation)"),
    pytest.param("·  Val Waite, Head of Service, Learning Inclusion\n·  Julie Longworth, Deputy Director of Children and Families",
                 {("Val Waite", "Head of Service, Learning Inclusion", "officer"),
                  ("Julie Longworth", "Deputy Director of Children and Families", "director")}, id="a list of attendees"),
]


@pytest.mark.parametrize(("text", "expected"), POSTS)
def test_a_way_of_writing_a_post(text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _posts(text) == expected


@pytest.mark.parametrize("text", [
    pytest.param("Lorraine Butcher and Tony Crane gave a presentation on the inspection.", id="names without posts"),
    pytest.param("Councillor Muldowney echoed this praise.", id="a councillor without a post"),
    pytest.param("The Cabinet Member for Children and Families introduced the report.", id="a post without a name"),
    pytest.param("Sandwell Children’s Trust was established in 2018 to run Children's Social Care Services.", id="a body"),
    pytest.param("the Chair of the SCF board, Director of Public Health", id="no person"),
])
def test_no_post_without_a_person_named_with_it(text: str) -> None:
    assert _posts(text) == set()


def test_an_interim_post_and_its_start() -> None:
    [post] = posts_in("Jane Roe, Interim Director of Children's Services, began in January 2025 after Mark Roe left.")
    assert (post.interim, post.began) == (True, "2025-01")
    [post] = posts_in("Councillor Sam Poe, Cabinet Member for Children, has been in post since 3 March 2023.")
    assert (post.interim, post.began) == (False, "2023-03-03")


@pytest.mark.parametrize(("title", "role"), [
    ("Executive Director (People)", "dcs"), ("Strategic Director of Children's Services", "dcs"),
    ("Director for Children", "dcs"), ("Director of Children and Families", "dcs"),
    ("Director of Children's Integrated Services", "director"), ("Deputy Director of Children and Families", "director"),
    ("Assistant Director of Children’s Social Care and Early Help", "director"), ("Interim Chief Executive", "chief-executive"),
    ("Leader of the Council", "leader"), ("Cabinet Member for Children’s Services", "lead-member"),
    ("Portfolio Holder for Children and Young People", "lead-member"), ("Cabinet Member for Finance", "cabinet-member"),
    ("Deputy Cabinet Member for Children", "deputy-cabinet-member"), ("Chairman of the Improvement Board", "board-chair"),
    ("Chair of the Children and Young People Scrutiny Committee", "scrutiny-chair"), ("Commissioner", "commissioner"),
    ("Minister for Children and Families", "minister"), ("Senior HMI Ofsted", "inspector"),
    ("Executive Support Officer", "officer"), ("Chief Inspector", None), ("Councillor", None),
])
def test_a_title_maps_to_its_role(title: str, role: str | None) -> None:
    assert role_of(title) == role


def test_names_are_normalised_and_never_merged_on_a_surname() -> None:
    assert name_key("Cllr Liz Terry") == name_key("Councillor Liz Terry") == name_key("Liz Terry") == "liz terry"
    assert name_key("Ade Adetosoye OBE") == name_key("Ade Adetosoye") and display_name("Dr Ade Adetosoye OBE") == "Ade Adetosoye"
    assert name_key("Councillor Paffey") == "paffey" != name_key("Satvir Paffey")
    assert clean_name("Gail Hopper Director") == "Gail Hopper"
    assert clean_name("Children’s Services") is None and clean_name("SCF") is None and clean_name("Hopper") is None


# --------------------------------------------------------------------------------------------
# Judgements
# --------------------------------------------------------------------------------------------

JUDGEMENTS = [
    pytest.param("The overall judgement of this Ofsted Inspection was that the service required improvement.",
                 {("requires-improvement", "overall", None)}, id="the service required improvement"),
    pytest.param("Today, for the first time, they have been rated ‘Good’ by Ofsted.", {("good", "overall", None)}, id="rated 'Good'"),
    pytest.param("Herefordshire Council Children’s Service is judged to be inadequate by Ofsted.",
                 {("inadequate", "overall", None)}, id="judged to be inadequate"),
    pytest.param("In 2013, the county council's services were inspected by Ofsted and were rated as inadequate.",
                 {("inadequate", "overall", 2013)}, id="a year before"),
    pytest.param("The double announcement follows an inadequate Ofsted rating in 2020.", {("inadequate", "overall", 2020)},
                 id="grade Ofsted rating in year"),
    pytest.param("The Council had been judged to be adequate in the effectiveness of help and leadership and governance "
                 "categories and inadequate in respect of quality of practice.",
                 {("requires-improvement", "effectiveness-of-help", None), ("requires-improvement", "leadership-and-governance", None),
                  ("inadequate", "quality-of-practice", None)}, id="adequate in A and B, inadequate in C"),
    pytest.param("Ofsted’s judgement is now ‘good with the impact of leaders judged ‘outstanding’.",
                 {("good", "overall", None), ("outstanding", "impact-of-leaders", None)}, id="impact of leaders judged"),
    pytest.param("The work of the Local Safeguarding Children Board had also been judged as “Good”.", {("good", "lscb", None)},
                 id="the LSCB judged"),
    pytest.param("Last inspected in September 2019 and upgraded from inadequate (in 2016) to ‘requires improvement to be good’.",
                 {("inadequate", "overall", 2016)}, id="upgraded from grade (in year)"),
    pytest.param("It is about improving the Ofsted rating – moving from inadequate, to good, to outstanding.",
                 {("inadequate", "overall", None)}, id="moving from the grade now, not the aims after it"),
    pytest.param("Children's services were awarded an overall rating of ‘requires improvement to be good’, the same grading as 2019.",
                 {("requires-improvement", "overall", None), ("requires-improvement", "overall", 2019)}, id="the same grading as"),
    pytest.param("the Council’s significant achievement of maintaining its ‘Outstanding’ judgement", {("outstanding", "overall", None)},
                 id="its 'Outstanding' judgement"),
    pytest.param("The outcome showed that Thurrock Council was providing a ‘Good’ service.", {("good", "overall", None)},
                 id="providing a 'Good' service"),
    pytest.param("2024 Grade\n\n2019 Grade\n\nOverall effectiveness\n\nRequires Improvement to be Good\n\nInadequate\n\n"
                 "The experiences and progress of children in care\n\nGood\n\nThe experiences and progress of care leavers",
                 {("requires-improvement", "overall", 2024), ("inadequate", "overall", 2019)},
                 id="a table by year; an area with one grade for two years is left out"),
]


@pytest.mark.parametrize(("text", "expected"), JUDGEMENTS)
def test_a_way_of_stating_a_grade(text: str, expected: set[tuple[str, str, int | None]]) -> None:
    assert {(j.grade, j.area, j.year) for j in judgements_in(text)} == expected


@pytest.mark.parametrize("text", [
    pytest.param("Of the 39 inspections published, 33% of local authorities had been judged inadequate.", id="other authorities"),
    pytest.param("To date only 20% of local authorities inspected had achieved a “Good” rating.", id="a share"),
    pytest.param("The Board’s self assessment had indicated a judgement of ‘requiring improvement’.", id="a self-assessment"),
    pytest.param("It helped with the direction of travel towards a ‘Good’ Ofsted inspection outcome.", id="an aim"),
    pytest.param("We face the new challenge of achieving a ‘good’ Ofsted rating.", id="an aim to achieve"),
    pytest.param("Children’s services in Northamptonshire are no longer rated inadequate.", id="no longer"),
    pytest.param("There were no areas that were judged to be inadequate.", id="no areas"),
    pytest.param("The good outcome from the recent Ofsted inspection was noted.", id="a good outcome is not a grade"),
])
def test_no_grade_that_is_not_the_authoritys_own(text: str) -> None:
    assert judgements_in(text) == []


# --------------------------------------------------------------------------------------------
# Visits
# --------------------------------------------------------------------------------------------

VISITS = [
    pytest.param("the fifth monitoring visit took place on 28–29 April 2021", ("monitoring-visit", "2021-04-28", "2021-04-29", 5),
                 id="the fifth monitoring visit took place on"),
    pytest.param("the feedback letter following their fourth Monitoring Visit conducted on 21 - 22 February 2024",
                 ("monitoring-visit", "2024-02-21", "2024-02-22", 4), id="fourth Monitoring Visit conducted on"),
    pytest.param("Between Wednesday, 9 January 2019 and Thursday, 10 January 2019 Ofsted conducted a focused visit of the council",
                 ("focused-visit", "2019-01-09", "2019-01-10", None), id="between dates, Ofsted conducted a focused visit"),
    pytest.param("the recent Ofsted inspection carried out between 21st February to 4th March 2022",
                 ("inspection", "2022-02-21", "2022-03-04", None), id="ordinal days across months"),
    pytest.param("Children's Social Care Service was inspected by Ofsted between 13 and 24 February.",
                 ("inspection", "--02-13", "--02-24", None), id="no year: a day of a month"),
    pytest.param("Ofsted inspectors visited the service between September 16-27 for a full inspection",
                 ("inspection", "--09-16", "--09-27", None), id="month first"),
    pytest.param("the findings of the inspection by Ofsted inspectors of the council’s services in July 2022",
                 ("inspection", "2022-07", "2022-07", None), id="a month"),
    pytest.param("OFSTED MONITORING VISIT - 28 TO 29 APRIL 2021", ("monitoring-visit", "2021-04-28", "2021-04-29", None),
                 id="a heading in capitals"),
]


@pytest.mark.parametrize(("text", "expected"), VISITS)
def test_a_way_of_dating_a_visit(text: str, expected: tuple[str, str, str, int | None]) -> None:
    assert [(v.kind, v.start_date, v.end_date, v.number) for v in visits_in(text)] == [expected]


def test_a_framework_is_not_an_inspection() -> None:
    assert visits_in("in accordance with the new Ofsted inspection framework that became operational in December 2022") == []


# --------------------------------------------------------------------------------------------
# Decisions, interventions, the document's date
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("RESOLVED that a formal report would be included in the agenda of the next meeting.",
                 ["that a formal report would be included in the agenda of the next meeting."], id="RESOLVED that"),
    pytest.param("The Board RESOLVED to note the information about the ILACS inspection.",
                 ["to note the information about the ILACS inspection."], id="the Board RESOLVED to"),
    pytest.param("RESOLVED: To note the findings of the re-inspection.\n\nNext item", ["To note the findings of the re-inspection."],
                 id="RESOLVED:"),
    pytest.param("Decision:\n\nThat:\n\na) Cabinet receive and note the feedback letter, at appendix a\n\nAlternative options",
                 ["That: a) Cabinet receive and note the feedback letter, at appendix a"], id="Decision: That: a)"),
    pytest.param("The committee resolved to meet again.", [], id="resolved in lower case is prose"),
])
def test_a_decision_in_its_own_words(text: str, expected: list[str]) -> None:
    from councilkg.sources.councilprose import decisions_in

    assert [d.value for d in decisions_in(text)] == expected


def test_interventions_and_a_pages_own_date() -> None:
    from councilkg.sources.councilprose import document_date, interventions_in

    text = ("Following the inspection the Department for Education issued a Statutory Direction in 2022 and the Secretary of "
            "State appointed a commissioner for children's services. An improvement board has been established.")
    assert {(i.value, i.year) for i in interventions_in(text)} == {("commissioner", None), ("statutory-direction", 2022),
                                                                   ("improvement-board", None)}
    assert document_date("Northamptonshire children’s services\n\n27 April 2016\n\nChildren’s services…") == "2016-04-27"
    assert document_date("Title\n\nPublished Thursday, 17 January 2019\n\nFull Council…") == "2019-01-17"
    assert document_date("Decision details\n\nPublication date: 28/03/2024\n") == "2024-03-28"
    assert document_date("The inspection of 4 to 22 November 2019 was noted.") is None


@pytest.mark.parametrize("text", [
    pytest.param("Jane Roe, Director, " * 3000, id="names and titles without an end"),
    pytest.param("Councillor Jane Roe, Cabinet Member for Children, Schools, Families, Young People, " * 700, id="long titles"),
    pytest.param("judged good and outstanding and inadequate " * 1400, id="grades without an end"),
    pytest.param("between 1 and 2 March 2020 visit inspection " * 1400, id="dates without an end"),
])
def test_a_text_is_read_in_bounded_time_whatever_it_holds(text: str) -> None:
    """Each rule reads a bounded neighbourhood of each match (REACH, MAX_TITLE), so 60,000 characters of the worst
    case take a second or two (before that bound, the first case took 30–50 s: every match read to the text's end)."""
    import time

    started = time.perf_counter()
    posts_in(text), judgements_in(text), judgements_in(text, wrapped=True), visits_in(text)
    assert time.perf_counter() - started < 12
