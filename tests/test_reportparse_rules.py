"""The report reader's rules for local leadership and earlier inspections, one literal example each (no shared data:
each example is a sentence as Ofsted writes it, in a one-page report around it)."""

from __future__ import annotations

import pytest

from councilkg.sources.pdf import PdfText
from councilkg.sources.reportparse import parse_report


def read(sentences: str, dates: str = "1 to 5 July 2024"):
    text = ("Inspection of Bury local authority children’s services\n"
            f"Inspection dates: {dates}\nJudgement Grade\nOverall effectiveness Good\n\n{sentences}")
    return parse_report(PdfText((text,)), "x")


@pytest.mark.parametrize(("sentence", "dates", "expected"), [
    ("The DCS has been in post since July 2016.", "1 to 5 July 2024", [("dcs", "2016-07")]),
    # the substantive start, not the interim one before it
    ("The Director of Children’s Services has been in post since October 2011 in an interim capacity and April 2012 "
     "as substantive.", "29 April to 21 May 2014", [("dcs", "2012-04")]),
    # a length of service: the year that many years before the fieldwork
    ("The skilled and experienced lead member has been in post for six years and has worked robustly.",
     "20 September to 1 October 2021", [("lead-member", "2015")]),
    ("The nominated elected member has been responsible for children’s services since May 2016.",
     "24 October to 17 November 2016", [("lead-member", "2016-05")]),
    ("Despite a change in DCS in 2022, the transition has continued to build on the progress.",
     "1 to 12 July 2024", [("dcs", "2022")]),
    # one post that is two: neither the DCS's nor the chief executive's start
    ("A director of children’s services and chief executive has been appointed under a ‘single’ post and will "
     "commence in post in July 2018.", "23 April to 18 May 2018", []),
    ("The lead member for adult services has been in post since May 2019.", "1 to 5 July 2024", []),
])
def test_local_leadership(sentence: str, dates: str, expected: list[tuple[str, str]]) -> None:
    assert [(s.post, s.since) for s in read(sentence, dates).leadership] == expected


@pytest.mark.parametrize(("sentences", "dates", "expected"), [
    # each grade with the areas of its own clause
    ("The local authority was judged inadequate in respect of children looked after, care leavers and overall "
     "effectiveness, while adoption and leadership, management and governance were found to require improvement "
     "at the last inspection in 2015.", "13 November to 7 December 2017",
     {("2015", "inadequate", "sif-looked-after"), ("2015", "inadequate", "sif-care-leavers"), ("2015", "inadequate", None),
      ("2015", "requires-improvement", "sif-adoption"), ("2015", "requires-improvement", "sif-leadership")}),
    # each clause with its own year
    ("The local authority has continued to make progress on the previous Ofsted inspections of child protection "
     "(in 2012), which judged services to be good, and of children looked after (in 2010), which judged services to "
     "be adequate.", "23 May to 16 June 2016",
     {("2012", "good", "slac-safeguarding"), ("2010", "requires-improvement", "slac-looked-after")}),
    # one grade for both inspections before the SIF
    ("The Safeguarding and Looked after Children (SLAC) inspection, in October 2010, judged both safeguarding and "
     "looked after children’s services to be inadequate.", "15 to 26 July 2013",
     {("2010", "inadequate", "slac-safeguarding"), ("2010", "inadequate", "slac-looked-after")}),
    ("The previous inspection of Oxfordshire’s services for looked after children was in March 2011. The local "
     "authority was judged to be Grade 2 (Good).", "29 April to 21 May 2014", {("2011", "good", "slac-looked-after")}),
    ("The previous single inspection was in April 2014. The graded judgment for adoption performance was that it was "
     "inadequate.", "13 March to 5 April 2017", {("2014", "inadequate", "sif-adoption")}),
    ("The service to care leavers was inadequate at the point of the last inspection in 2015.",
     "20 January to 31 January 2020", {("2015", "inadequate", "sif-care-leavers")}),
    # the year nearest the grade, not the first in the sentence
    ("While some children’s experiences have improved since a focused visit in February 2020, there has been a "
     "decline since the inspection in 2017, when services were judged to be good overall.",
     "24 January to 4 February 2022", {("2017", "good", None)}),
    # an inspection earlier in the same year, by its month
    ("The council's plan has been augmented by the findings of an Ofsted inspection in April 2013, which found child "
     "protection services to be inadequate.", "24 to 28 June 2013", {("2013", "inadequate", "slac-safeguarding")}),
    # "all services, except adoption": the overall grade, not adoption's
    ("Leaders have led improvement since the last inspection in 2015, when all services, except adoption, were judged "
     "to be inadequate.", "7 to 30 November 2017", {("2015", "inadequate", None)}),
    ("Since the last inspection in October 2021, when Knowsley was judged to be requires improvement to be good across "
     "all areas, practice has deteriorated for children in need of help and protection.", "1 to 12 July 2024",
     {("2021", "requires-improvement", None)}),
    # one of something else the report listed: not the authority
    ("The local authority operates two children’s homes.\nOne was judged to be inadequate at the last inspection in "
     "February 2013.", "15 to 26 July 2013", set()),
    # "services were judged good" beside the judgement of each area that year: no overall judgement
    ("The previous inspection of the local authority’s safeguarding arrangements was in January 2012. The local "
     "authority was judged to be good. The previous inspection of the local authority’s services for children looked "
     "after was in January 2012. The local authority was judged to be good. Improvements have been achieved since the "
     "last inspection in 2012, when all services were judged as good.", "12 June to 6 July 2017",
     {("2012", "good", "slac-safeguarding"), ("2012", "good", "slac-looked-after")}),
])
def test_earlier_inspections(sentences: str, dates: str, expected: set[tuple[str, str, str | None]]) -> None:
    assert {(p.when[:4], p.grade, p.area) for p in read(sentences, dates).previous} == expected


def test_a_list_published_early_in_a_year_is_of_the_inspection_the_year_before() -> None:
    r = read("Since the last inspection in 2015, services have improved.\n"
             "The last inspection report for the local authority’s children’s services was published in January 2016. "
             "The judgements for the local authority were:\n"
             "overall effectiveness: Inadequate\nadoption performance: Requires improvement to be good\n",
             "11 June to 5 July 2018")
    assert {(p.when, p.grade, p.area) for p in r.previous} == {("2015", "inadequate", None),
                                                               ("2015", "requires-improvement", "sif-adoption")}
    late = read("The last inspection report for the local authority’s children’s services was published in August 2015. "
                "The judgements for the local authority were:\noverall effectiveness: Inadequate\n", "26 February to 22 March 2018")
    assert [p.when for p in late.previous] == ["2015"]


def test_a_second_single_inspection_is_a_re_inspection_though_its_title_does_not_say_so() -> None:
    def sif(previous: str):
        text = ("Darlington\nInspection of services for children in need of help and protection, children looked "
                "after and care leavers\nInspection date: 27 February 2018 to 22 March 2018\n"
                "Report published: 21 May 2018\n\nPrevious Ofsted inspections\n" + previous)
        return parse_report(PdfText((text,)), "x").era

    assert sif("The previous single inspection of the local authority children’s services was published in "
               "September 2015. The judgements for the local authority were:\nOverall effectiveness: inadequate\n"
               "Adoption performance: good\n") == "sif-reinspection"
    assert sif("The previous inspection of the local authority’s safeguarding arrangements was in January 2012. The "
               "local authority was judged to be good.\n") == "sif"


@pytest.mark.parametrize(("since", "earliest", "latest"), [
    ("2016-07", "2016-07-01", "2016-07-31"), ("2018", "2018-01-01", "2018-12-31"), ("late-2018", "2018-09-01", "2018-12-31"),
    ("beginning-2020", "2020-01-01", "2020-04-30"), ("2015-03-02", "2015-03-02", "2015-03-02"),
])
def test_a_start_as_read_has_the_days_it_can_denote(since: str, earliest: str, latest: str) -> None:
    from councilkg.model.dates import written_bounds

    _, first, last = written_bounds(since)
    assert (first.isoformat(), last.isoformat()) == (earliest, latest)
