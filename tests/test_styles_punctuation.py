"""The punctuation pass (citeshelf.styles.text.punctuate) on small Styled trees."""

from __future__ import annotations

from citeshelf.styles.text import Italic, Link, Styled, to_text


def test_doubled_period_collapses() -> None:
    # "Ed." + ". " -> "Ed. ", not "Ed.."
    assert to_text(Styled().add("Ed.").punct(". ").add("Routledge")) == "Ed. Routledge"


def test_period_after_question_or_exclamation_mark_is_dropped() -> None:
    assert to_text(Styled().add("Why?").punct(". ").add("Next")) == "Why? Next"
    assert to_text(Styled().italic("Stop!").punct(". ").add("Next")) == "Stop! Next"


def test_comma_after_question_mark_follows_the_style() -> None:
    # APA drops it; Chicago keeps it (CMOS 6.119).
    assert to_text(Styled().add("“Sure?”").punct(", ").add("Site")) == "“Sure?” Site"
    chicago = Styled(comma_after_query=True).add("“Sure?”").punct(", ").add("Site")
    assert to_text(chicago) == "“Sure?,” Site"


def test_period_and_comma_move_inside_closing_quotes() -> None:
    assert to_text(Styled().add("“Title”").punct(", ").add("x")) == "“Title,” x"
    assert to_text(Styled().add("“Title”").punct(". ").add("x")) == "“Title.” x"
    assert to_text(Styled().add("“A ‘B’”").punct(". ").add("x")) == "“A ‘B.’” x"
    # An inner period is not doubled.
    assert to_text(Styled().add("“Title.”").punct(". ").add("x")) == "“Title.” x"
    # A colon or semicolon stays outside.
    assert to_text(Styled().add("“Title”").punct("; ").add("x")) == "“Title”; x"


def test_separator_after_separator_keeps_the_first() -> None:
    # A missing element between two separators: "Title. , 12" -> "Title. 12".
    assert to_text(Styled().add("Title").punct(". ").punct(", ").add("12")) == "Title. 12"
    assert to_text(Styled().add("Title").punct(". ").add(", 12")) == "Title. 12"
    assert to_text(Styled().add("Title,").punct(", ").add("12")) == "Title, 12"


def test_spaces_are_never_doubled_nor_left_at_the_end() -> None:
    assert to_text(Styled().add("In ").add(" Book")) == "In Book"
    assert to_text(Styled().add("Routledge").punct(". ")) == "Routledge."


def test_end_drops_a_dangling_separator_before_the_final_period() -> None:
    assert to_text(Styled().add("Aris, 2014,").end(".")) == "Aris, 2014."
    assert to_text(Styled().add("Aris, “Title,”").end(".")) == "Aris, “Title.”"
    assert to_text(Styled().add("Aris, 2014. ").end(".")) == "Aris, 2014."
    assert to_text(Styled().add("Title?").end(".")) == "Title?"


def test_end_after_a_link_adds_the_period_unless_it_ends_in_one() -> None:
    out = Styled().add("Aris. ").link("https://example.org/a").end(".")
    assert out.runs == ["Aris. ", Link("https://example.org/a"), "."]
    out = Styled().add("Aris. ").link("https://example.org/a.").end(".")
    assert out.runs == ["Aris. ", Link("https://example.org/a.")]


def test_trim_drops_the_space_before_a_separator() -> None:
    assert to_text(Styled().add("s.v. ").trim().punct("; ").add("x")) == "s.v.; x"


def test_parts_are_resolved_where_they_meet() -> None:
    part = Styled().add("“Quoted”")
    out = Styled().add("Aris").punct(", ").extend(part).punct(", ").extend(Styled().italic("Book"))
    assert out.runs == ["Aris, “Quoted,” ", Italic("Book")]
    # A part that starts with a separator after a separator: the first wins.
    out = Styled().add("Title").punct(". ").extend(Styled().add(", vol. 2"))
    assert to_text(out) == "Title. vol. 2"


def test_italic_runs_and_links_are_kept_and_plain_text_merged() -> None:
    out = Styled().add("A").add("B").italic("C").add("D").punct(". ")
    assert out.runs == ["AB", Italic("C"), "D."]


def test_building_after_reading_runs_again() -> None:
    out = Styled().add("Aris")
    assert out.runs == ["Aris"]
    out.punct(". ").add("Title")
    assert out.runs == ["Aris. Title"]
