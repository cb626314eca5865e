"""What LaTeX reads as no citation in a .tex file: a \\cite in a verbatim
environment or an inline \\verb, and a macro's parameter (\\cite{#1}).
Checked against biblatex's own examples (51-style-authoryear-ibid.tex and
74-style-verbose-trad1.tex cite through verbatim blocks and \\def): the keys
pdflatex writes to the .bcf are the keys read here."""

from __future__ import annotations

from citeshelf.formats.manuscript import cited_spans, rewrite_citations, scan_tex

DOCUMENTATION = r"""
Consider the following example citations
\begin{verbatim}
\cite[378]{sigfridsson}
\cite[12]{worman}  % 50% of them
\end{verbatim}
%
which come out as \cite{kastenholz}, and \verb|\cite{inline}| is code.
\verb*+\parencite{starred}+ too; 50\% of \textcite{knuth:ct} % \cite{commented}
\begin{lstlisting}
\cite{listing}
\end{lstlisting}
\begin{comment}
\cite{commentenv}
\end{comment}
\begin{Verbatim*}[frame=single]
\cite{fancy}
\end{Verbatim*}
\newenvironment*{pseudofootnotes}
  {\def\footcite##1{\item\Cite{##1}.}}
  {}
\newcommand{\mycite}[1]{\cite{#1}}
\mycite{cicero} and \cite{aristotle:poetics}
"""


def test_a_citation_in_verbatim_or_a_macros_parameter_is_no_key() -> None:
    keys, everything = scan_tex(DOCUMENTATION)
    # (\mycite is a command whose name holds "cite": read as one, as it is)
    assert keys == ["kastenholz", "knuth:ct", "cicero", "aristotle:poetics"]
    assert not everything


def test_a_percent_sign_in_verbatim_starts_no_comment() -> None:
    text = "\\begin{verbatim}50% \\end{verbatim}\\cite{a} \\verb|%|\\cite{b}\n\\cite{c}\n"
    assert scan_tex(text)[0] == ["a", "b", "c"]


def test_an_environment_or_verb_that_does_not_end_is_read_as_before() -> None:
    assert scan_tex("\\begin{verbatim}\n\\cite{a}\n")[0] == ["a"]
    assert scan_tex("\\verb|\\cite{b}\n|\n")[0] == ["b"]  # (\verb ends on its line)
    # \verbatiminput{file} and \verbx are other commands
    assert scan_tex("\\verbatiminput{x.tex} \\cite{c}")[0] == ["c"]


def test_a_rekey_leaves_verbatim_alone() -> None:
    text = "\\cite{old}\n\\begin{verbatim}\n\\cite{old}\n\\end{verbatim}\n\\verb|\\cite{old}|\n"
    new, count = rewrite_citations(text, "tex", "old", "new")
    assert count == 1
    assert new == text.replace("\\cite{old}", "\\cite{new}", 1)
    assert [s.key for s in cited_spans(text, "tex")] == ["old"]


def test_spans_keep_their_offsets_after_verbatim() -> None:
    text = "\\begin{verbatim}\n\\cite{x}\n\\end{verbatim}\n\\cite{real}"
    (span,) = cited_spans(text, "tex")
    assert text[span.start : span.end] == "real"
