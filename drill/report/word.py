"""The report as a Word document (.docx), for offices that exchange Word files: A4, real headings
and tables, the charts as pictures, page numbers, the classification line on every page, and a
font with the Vietnamese letters (Times New Roman, as administrative documents use; LibreOffice
falls back to its metric twin Liberation Serif, which has them too). The improvement plan is on
landscape pages, where its nine columns fit.

Built with python-docx (``pip install 'drill[paperwork]'``)."""

from __future__ import annotations

import io
from typing import Any

from ..diagnostics import DrillError
from ..i18n import t
from .build import Report

FONT = "Times New Roman"
BODY_PT = 12
SMALL_PT = 10
KEEP_TOGETHER = 16  # rows: a table this short is not split across pages


DISTRICT_COLUMNS = ("col_district", "col_affected", "col_hosts", "col_longest_out", "col_citizens")


def _docx() -> Any:
    try:
        import docx
    except ImportError as exc:  # an optional dependency: say how to get it
        raise DrillError(t("report.needs_paperwork", what="python-docx")) from exc
    return docx


def render_docx(report: Report) -> bytes:
    """The report as the bytes of a .docx file."""
    docx = _docx()
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    doc = docx.Document()
    _styles(doc, Pt, RGBColor)
    core = doc.core_properties
    core.title = f"{report.t('doc_title')} — {report.title}"
    core.language = report.lang
    core.author = "drill"
    section = doc.sections[0]
    _a4(section, Cm, WD_ORIENT, landscape=False)
    _header_footer(section, report, WD_ALIGN_PARAGRAPH, Pt)

    w = _Writer(doc, report, Pt, Cm, WD_TABLE_ALIGNMENT)
    p = doc.add_paragraph(report.t("doc_title").upper(), style="Subtitle")
    doc.add_heading(report.title, level=0)
    doc.add_paragraph(f"{report.t('scenario')}: {report.scenario_id}", style="Caption")
    doc.add_paragraph(report.t(f"audience_{report.audience}"), style="Caption")
    for warning in report.warnings:
        p = doc.add_paragraph("⚠ " + warning)
        p.runs[0].bold = True
    if report.branched_from:
        doc.add_paragraph(report.branched_from, style="Caption")

    n = 0

    def heading(key: str) -> None:
        nonlocal n
        n += 1
        doc.add_heading(f"{n}. {report.t(key)}", level=1)

    heading("sec_overview")
    rows = [(f.label, f.value) for f in report.overview] + [(report.t("ov_summary"), report.description)]
    w.table(None, rows, widths=(5.0, 11.0), blanks=True, first_bold=True)

    heading("sec_summary")
    doc.add_heading(report.t("objectives"), level=2)
    if report.objectives:
        w.table(
            (report.t("col_objective"), report.t("col_result"), report.t("col_target"), ""),
            [(o.label, o.value, o.target, report.t(f"objective_{o.state}")) for o in report.objectives],
            widths=(7.0, 3.5, 2.5, 3.0),
        )
    else:
        doc.add_paragraph(report.t("no_objectives"))
    doc.add_heading(report.t("teams"), level=2)
    w.table(
        (report.t("col_team"), report.t("col_role"), report.t("col_staff"), report.t("col_busy")),
        [(x.name, x.role, str(x.staff), x.busy) for x in report.teams],
        widths=(7.0, 5.0, 2.0, 2.0),
    )

    heading("sec_figures")
    w.table(
        None,
        [(f.label, f.value, f.note) for f in report.figures],
        widths=(4.5, 3.5, 8.0),
        first_bold=True,
    )
    doc.add_heading(report.t("definitions"), level=2)
    for d in report.definitions:
        w.para(d, style="List Bullet", size=SMALL_PT)
    doc.add_heading(report.t("downtime_services"), level=2)
    if report.downtime_services:
        w.table(
            (report.t("col_service"), report.t("col_downtime")),
            [
                (d.name + (f" ({report.t('still_down')})" if d.still_down else ""), d.value)
                for d in report.downtime_services
            ],
            widths=(12.5, 3.5),
        )
    else:
        doc.add_paragraph(report.t("no_downtime"))
    doc.add_heading(report.t("downtime_bodies"), level=2)
    if report.downtime_bodies:
        w.table(
            (report.t("col_body"), report.t("col_downtime")),
            [(d.name, d.value) for d in report.downtime_bodies],
            widths=(12.5, 3.5),
        )
        if report.downtime_bodies_more:
            doc.add_paragraph(report.downtime_bodies_more, style="Caption")
    else:
        doc.add_paragraph(report.t("no_downtime"))
    if report.by_district:
        doc.add_heading(report.t("by_district"), level=2)
        w.table(
            tuple(
                report.t(k)
                for k in ("col_district", "col_affected", "col_hosts", "col_longest_out", "col_citizens")
            ),
            report.by_district,
            widths=(5.5, 3.5, 2.0, 2.5, 2.5),
        )
    if report.hosts_by_body:
        doc.add_heading(report.t("hosts_by_body"), level=2)
        w.table((report.t("col_body"), report.t("col_hosts")), report.hosts_by_body, widths=(12.5, 3.5))
        if report.hosts_by_body_more:
            doc.add_paragraph(report.hosts_by_body_more, style="Caption")

    heading("sec_analysis")
    doc.add_paragraph(report.t("analysis_intro"))
    w.table(
        (report.t("col_capability"), report.t("col_rating"), report.t("rule_given")),
        [
            (
                c.name,
                c.rating_label + (f"\n{report.t('evaluator_note', note=c.note)}" if c.note else ""),
                c.reason,
            )
            for c in report.capabilities
        ],
        widths=(5.0, 6.0, 5.0),
    )
    w.para(report.t("rating_rule"), size=SMALL_PT, italic=True)
    for i, c in enumerate(report.capabilities, 1):
        doc.add_heading(f"{n}.{i}. {c.name} — {c.rating_label}", level=2)
        if c.objectives:
            w.para(report.t("capability_objectives", names="; ".join(c.objectives)), italic=True)
        for title, items, none in (
            ("strengths", c.strengths, "no_strengths"),
            ("improvements", c.improvements, "no_improvements"),
        ):
            w.para(report.t(title), bold=True)
            for f in items:
                w.para(f.text + (f" — {f.evidence}" if f.evidence else ""), style="List Bullet")
            if not items:
                w.para(report.t(none), style="List Bullet")

    heading("sec_charts")
    for chart in report.charts:
        doc.add_picture(io.BytesIO(chart.png()), width=Cm(16.0))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for fact in chart.facts:
            doc.add_paragraph(fact, style="Caption")

    heading("sec_scorecard")
    c = report.score_counts
    doc.add_paragraph(
        report.t("scorecard_intro", met=c["met"], late=c["late"], missed=c["missed"], open=c["open"])
    )
    for group in report.scores:
        k = group.counts
        counts = report.t("team_counts", met=k["met"], late=k["late"], missed=k["missed"], open=k["open"])
        doc.add_heading(f"{group.team} — {counts}", level=2)
        w.table(
            (
                report.t("col_expected"),
                report.t("col_after"),
                report.t("col_deadline"),
                report.t("col_status"),
                report.t("col_done"),
            ),
            [(s.action, f"{s.source} ({s.issued})", s.deadline, s.status_label, s.done) for s in group.rows],
            widths=(5.0, 3.5, 3.0, 2.0, 2.5),
            size=SMALL_PT,
        )
    if not report.scores:
        doc.add_paragraph(report.t("no_expectations"))
    found = report.discovered
    if found is not None:
        doc.add_heading(report.t("sec_discovery"), level=2)
        doc.add_paragraph(report.t("discovery_intro"))
        cols = ("col_taken", "col_found", "col_found_by", "col_how")
        for first, rows, last in (
            ("col_foothold", found.footholds, "col_found_after"),
            ("col_technique", found.techniques, "col_time_to_identify"),
        ):
            w.table(
                tuple(report.t(k) for k in (first, *cols, last)),
                [(f.what, f.truth, f.found, f.by, f.how, f.after) for f in rows],
                widths=(4.5, 1.8, 1.8, 3.5, 2.6, 1.8),
                size=SMALL_PT,
            )
        if found.identify:
            w.table(
                tuple(
                    report.t(k)
                    for k in (
                        "col_identify",
                        "col_first_used",
                        "col_identified",
                        "col_found_by",
                        "col_status",
                    )
                ),
                [(f.what, f.truth, f.found, f.by, f.status_label) for f in found.identify],
                widths=(5.5, 1.8, 1.8, 3.5, 3.4),
                size=SMALL_PT,
            )

    heading("sec_timeline")
    w.table(
        ("T+", report.t("col_clock"), report.t("col_kind"), report.t("col_who"), report.t("col_what")),
        [(r.t_plus, r.clock, report.t(f"kind_{r.kind}"), r.who, r.what) for r in report.timeline],
        widths=(1.7, 1.6, 2.0, 3.2, 7.5),
        size=SMALL_PT - 1,
    )
    if report.timeline_more:
        doc.add_paragraph(report.t("timeline_more", count=report.timeline_more), style="Caption")

    if report.audience == "controllers":
        heading("sec_notes")
        if report.notes:
            w.table(
                ("T+", report.t("col_clock"), report.t("col_note")),
                [
                    (x.t_plus, x.clock, x.text + (f" {report.t('hidden_mark')}" if x.hidden else ""))
                    for x in report.notes
                ],
                widths=(2.0, 2.0, 12.0),
            )
        else:
            doc.add_paragraph(report.t("no_notes"))

    # the improvement plan on landscape pages: nine columns
    plan = doc.add_section()
    _a4(plan, Cm, WD_ORIENT, landscape=True)
    heading("sec_plan")
    doc.add_paragraph(report.t("plan_intro"))
    rows = [
        (
            str(i),
            p.capability,
            p.issue + "".join(f"\n{e}" for e in p.evidence),
            p.action,
            p.owner,
            p.contact,
            p.start,
            p.end,
            p.priority_label,
        )
        for i, p in enumerate(report.plan, 1)
    ]
    if not rows:
        rows = [("", report.t("plan_empty"), "", "", "", "", "", "", "")]
    w.table(
        (
            "#",
            report.t("col_capability"),
            report.t("col_issue"),
            report.t("col_corrective"),
            report.t("col_responsible"),
            report.t("col_contact"),
            report.t("col_start"),
            report.t("col_completion"),
            report.t("col_priority"),
        ),
        rows,
        widths=(0.8, 2.8, 6.0, 7.0, 2.8, 2.8, 2.2, 2.2, 1.8),
        size=SMALL_PT - 1,
    )
    doc.add_paragraph()
    w.para(f"{report.t('signature')}:", bold=True)
    w.para(f"……………………………………………… ({report.t('signature_line')})")
    f = report.footer
    w.para(
        report.t(
            "footer",
            log=f["log"],
            seed=f["seed"],
            events=f["events"],
            recorded_with=f["recorded_with"],
            drill=f["drill"],
            scenario=f["scenario_sha256"],
            topology=f["topology_sha256"],
        ),
        size=SMALL_PT - 2,
        italic=True,
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _styles(doc: Any, Pt: Any, RGBColor: Any) -> None:  # noqa: N803 (python-docx's unit names)
    from docx.oxml.ns import qn

    for name in ("Normal", "Title", "Subtitle", "Caption", "List Bullet", "Heading 1", "Heading 2"):
        style = doc.styles[name]
        style.font.name = FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(attr), None)
        if name.startswith(("Heading", "Title", "Subtitle")):
            style.font.color.rgb = RGBColor(0x11, 0x11, 0x11)
    doc.styles["Normal"].font.size = Pt(BODY_PT)
    doc.styles["Title"].font.size = Pt(20)
    doc.styles["Heading 1"].font.size = Pt(15)
    doc.styles["Heading 2"].font.size = Pt(13)
    doc.styles["Caption"].font.size = Pt(SMALL_PT)
    doc.styles["Caption"].font.bold = False
    doc.styles["Caption"].font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    doc.styles["Subtitle"].font.size = Pt(SMALL_PT)


def _a4(section: Any, Cm: Any, WD_ORIENT: Any, landscape: bool) -> None:  # noqa: N803
    width, height = Cm(21.0), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin = Cm(3.0) if not landscape else Cm(2.0)  # room for binding, as offices file
    section.right_margin = Cm(2.0)


def _header_footer(section: Any, report: Report, WD_ALIGN_PARAGRAPH: Any, Pt: Any) -> None:  # noqa: N803
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if report.classification:
        run = head.add_run(report.classification)
        run.bold = True
        run.font.size = Pt(SMALL_PT)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if report.classification:
        run = foot.add_run(report.classification + "    ")
        run.bold = True
        run.font.size = Pt(SMALL_PT - 1)
    # "Page {page} of {pages}" with live fields
    text = report.t("page_of", page="\x00", pages="\x01")
    for i, part in enumerate(text.replace("\x01", "\x00").split("\x00")):
        if i:
            _field(foot, "PAGE" if i == 1 else "NUMPAGES", Pt)
        if part:
            foot.add_run(part).font.size = Pt(SMALL_PT - 1)


def _field(paragraph: Any, code: str, Pt: Any) -> None:  # noqa: N803
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    run.font.size = Pt(SMALL_PT - 1)
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, sep, shown, end):
        run._r.append(el)


class _Writer:
    def __init__(self, doc: Any, report: Report, Pt: Any, Cm: Any, align: Any) -> None:  # noqa: N803
        self.doc, self.report, self.Pt, self.Cm, self.align = doc, report, Pt, Cm, align

    def para(
        self,
        text: str,
        style: str | None = None,
        size: float | None = None,
        bold: bool = False,
        italic: bool = False,
    ) -> Any:
        p = self.doc.add_paragraph(style=style)
        run = p.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = self.Pt(size)
        return p

    def table(
        self,
        header: tuple[str, ...] | None,
        rows: list[tuple[str, ...]] | list[tuple[str, str]],
        widths: tuple[float, ...],
        size: float = SMALL_PT,
        blanks: bool = False,
        first_bold: bool = False,
    ) -> Any:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        cols = len(widths)
        table = self.doc.add_table(rows=0, cols=cols)
        table.style = "Table Grid"
        table.alignment = self.align.CENTER
        if header is not None:
            cells = table.add_row().cells
            for cell, text in zip(cells, header, strict=True):
                self._cell(cell, text, size, bold=True)
            trpr = table.rows[0]._tr.get_or_add_trPr()
            repeat = OxmlElement("w:tblHeader")  # the header row again on every page
            repeat.set(qn("w:val"), "true")
            trpr.append(repeat)
        for values in rows:
            row = table.add_row()
            trpr = row._tr.get_or_add_trPr()
            trpr.append(OxmlElement("w:cantSplit"))  # a row stays on one page
            for i, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
                if blanks and not text:
                    self._cell(cell, "……………………  (" + self.report.t("to_fill") + ")", size, italic=True)
                else:
                    self._cell(cell, str(text), size, bold=first_bold and i == 0)
        if len(table.rows) <= KEEP_TOGETHER:
            # a short table stays on one page: each row keeps with the next
            for row in list(table.rows)[:-1]:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        paragraph.paragraph_format.keep_with_next = True
        # the widths go in the grid too: LibreOffice reads them there, Word from the cells
        table.autofit = False
        for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
            col.set(qn("w:w"), str(int(self.Cm(width).twips)))
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = self.Cm(width)
        self.doc.add_paragraph()
        return table

    def _cell(self, cell: Any, text: str, size: float, bold: bool = False, italic: bool = False) -> None:
        lines = text.split("\n")
        p = cell.paragraphs[0]
        for i, line in enumerate(lines):
            if i:
                p = cell.add_paragraph()
            run = p.add_run(line)
            run.font.size = self.Pt(size)
            run.bold, run.italic = bold or None, italic or None
