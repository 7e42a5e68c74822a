"""Features drawn on a sheet: pictures (a logo on the Dashboard, one on the practice's sheet), a chart
with its cached values, shapes and a text box, a header picture on the Worklist, a form check box, a
sheet background."""

from __future__ import annotations

import re

from tests.features.common import MONTHS, edit, user_sheet
from tests.features.media import png
from tests.features.package import A, CT, R, RT, XDR, declare, insert_child, set_cells
from tests.features.registry import Mark, feature

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
VML_HEAD = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">')


def image(pkg, rgb, stripe=None, size=(120, 40)) -> str:
    part = pkg.free_name("xl/media/image{}.png")
    pkg.put(part, png(size[0], size[1], rgb, stripe))
    pkg.default("png", "image/png")
    return part


def drawing(pkg, sheet_part: str) -> str:
    """The sheet's DrawingML drawing part (Excel keeps one per sheet), made when the sheet has none."""
    found = pkg.rel_target(sheet_part, "drawing")
    if found:
        return found
    part = pkg.free_name("xl/drawings/drawing{}.xml")
    pkg.put(part, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{A}"></xdr:wsDr>')
    pkg.override(part, CT + "drawing+xml")
    rid = pkg.add_rel(sheet_part, RT + "drawing", part)
    edit(pkg, sheet_part, lambda x: insert_child(declare(x, "r", R), "drawing", f'<drawing r:id="{rid}"/>'))
    return part


def anchor(pkg, part: str, frm: tuple[int, int], to: tuple[int, int], body_fn) -> str:
    """Add a twoCellAnchor holding ``body_fn(shape id)`` to a drawing; returns the anchor's XML."""
    xml = pkg.text(part)
    ids = [int(i) for i in re.findall(r'cNvPr id="(\d+)"', xml)] or [1]
    ns = f'xmlns:xdr="{XDR}" xmlns:a="{A}" xmlns:r="{R}"'
    edit_as = ' editAs="oneCell"' if "pic" in body_fn.__name__ else ""
    cell = "<xdr:{0}><xdr:col>{1}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{2}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:{0}>"
    xml_anchor = (f"<xdr:twoCellAnchor{edit_as} {ns}>" + cell.format("from", *frm) + cell.format("to", *to)
                  + body_fn(max(ids) + 1) + "<xdr:clientData/></xdr:twoCellAnchor>")
    root_close = xml.rstrip().rfind("</")
    pkg.put(part, xml[:root_close] + xml_anchor + xml[root_close:])
    return xml_anchor


def picture(pkg, part: str, img: str, name: str, frm, to) -> str:
    rid = pkg.add_rel(part, RT + "image", img)

    def pic(n):
        return (f'<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="{n}" name="Picture {n - 1}" descr="{name}"/><xdr:cNvPicPr>'
                '<a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr><xdr:blipFill>'
                f'<a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:xfrm>'
                '<a:off x="0" y="0"/><a:ext cx="1143000" cy="381000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
                "</a:prstGeom></xdr:spPr></xdr:pic>")
    return anchor(pkg, part, frm, to, pic)


@feature("dashboard_logo", "Dashboard, top right (in the drawing with claimbook's charts)",
         "the practice's logo picture on the Dashboard")
def dashboard_logo(pkg):
    part = drawing(pkg, pkg.sheet_part("Dashboard"))
    picture(pkg, part, image(pkg, (0, 90, 160), (255, 255, 255)), "Clinic logo", (6, 0), (8, 3))
    return []  # the drawing and its picture are not claimbook's parts: byte for byte


@feature("user_picture", "Practice (the practice's own sheet)", "a picture on a sheet of the practice's own")
def user_picture(pkg):
    part = drawing(pkg, user_sheet(pkg))
    picture(pkg, part, image(pkg, (200, 30, 30), (250, 220, 0), (80, 80)), "Signature stamp", (10, 18), (12, 24))
    return []


@feature("user_chart", "Practice", "a column chart of the practice's own, with its cached category and values")
def user_chart(pkg):
    sheet = user_sheet(pkg)
    part = drawing(pkg, sheet)
    chart = pkg.free_name("xl/charts/chart{}.xml")

    def ser(i, col, title):
        cats = "".join(f'<c:pt idx="{k}"><c:v>{m[0]}</c:v></c:pt>' for k, m in enumerate(MONTHS))
        vals = "".join(f'<c:pt idx="{k}"><c:v>{m[1 + i]}</c:v></c:pt>' for k, m in enumerate(MONTHS))
        n = len(MONTHS)
        return (f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:strRef><c:f>Practice!${col}$3</c:f><c:strCache>'
                f'<c:ptCount val="1"/><c:pt idx="0"><c:v>{title}</c:v></c:pt></c:strCache></c:strRef></c:tx>'
                f'<c:spPr><a:solidFill><a:schemeClr val="accent{i + 1}"/></a:solidFill></c:spPr>'
                f'<c:invertIfNegative val="0"/><c:cat><c:strRef><c:f>Practice!$A$4:$A${3 + n}</c:f><c:strCache>'
                f'<c:ptCount val="{n}"/>{cats}</c:strCache></c:strRef></c:cat><c:val><c:numRef>'
                f'<c:f>Practice!${col}$4:${col}${3 + n}</c:f><c:numCache><c:formatCode>General</c:formatCode>'
                f'<c:ptCount val="{n}"/>{vals}</c:numCache></c:numRef></c:val></c:ser>')
    axis = ('<c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>')
    pkg.put(chart, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<c:chartSpace xmlns:c="{C}" xmlns:a="{A}" xmlns:r="{R}"><c:date1904 val="0"/><c:lang val="en-US"/>'
            '<c:roundedCorners val="0"/><c:chart><c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:r>'
            '<a:t>Billed and collected by month</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title>'
            '<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/><c:barChart><c:barDir val="col"/>'
            '<c:grouping val="clustered"/><c:varyColors val="0"/>' + ser(0, "B", "Billed") + ser(1, "C", "Collected")
            + '<c:gapWidth val="219"/><c:overlap val="-27"/><c:axId val="530168447"/><c:axId val="530171359"/>'
            f'</c:barChart><c:catAx><c:axId val="530168447"/>{axis}<c:axPos val="b"/>'
            '<c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="none"/><c:minorTickMark val="none"/>'
            '<c:tickLblPos val="nextTo"/><c:crossAx val="530171359"/><c:crosses val="autoZero"/><c:auto val="1"/>'
            '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx><c:valAx>'
            f'<c:axId val="530171359"/>{axis}<c:axPos val="l"/><c:majorGridlines/>'
            '<c:numFmt formatCode="&quot;$&quot;#,##0" sourceLinked="0"/><c:majorTickMark val="none"/>'
            '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="530168447"/>'
            '<c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx></c:plotArea><c:legend>'
            '<c:legendPos val="b"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/>'
            '<c:dispBlanksAs val="gap"/></c:chart><c:printSettings><c:headerFooter/><c:pageMargins b="0.75" l="0.7" '
            'r="0.7" t="0.75" header="0.3" footer="0.3"/><c:pageSetup/></c:printSettings></c:chartSpace>')
    pkg.override(chart, CT + "drawingml.chart+xml")
    rid = pkg.add_rel(part, RT + "chart", chart)

    def frame(n):
        return (f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{n}" name="Chart {n - 1}"/>'
                '<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
                f'</xdr:xfrm><a:graphic><a:graphicData uri="{C}"><c:chart xmlns:c="{C}" r:id="{rid}"/>'
                "</a:graphicData></a:graphic></xdr:graphicFrame>")
    anchor(pkg, part, (14, 2), (21, 16), frame)
    return []


@feature("shapes_and_text_box", "Practice", "a text box and an arrow shape (DrawingML sp)")
def shapes_and_text_box(pkg):
    part = drawing(pkg, user_sheet(pkg))

    def box(n):
        return (f'<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="{n}" name="TextBox {n - 1}"/>'
                '<xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2743200" '
                'cy="762000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill>'
                '<a:srgbClr val="FFF2CC"/></a:solidFill><a:ln w="9525" cmpd="sng"><a:solidFill><a:srgbClr val="BF9000"/>'
                '</a:solidFill></a:ln></xdr:spPr><xdr:txBody><a:bodyPr vertOverflow="clip" horzOverflow="clip" '
                'wrap="square" rtlCol="0" anchor="t"/><a:lstStyle/><a:p><a:r><a:rPr lang="en-US" sz="1100" b="1"/>'
                '<a:t>Month-end checklist</a:t></a:r></a:p><a:p><a:r><a:rPr lang="en-US" sz="1100"/>'
                "<a:t>Refresh, then work the Worklist top to bottom.</a:t></a:r></a:p></xdr:txBody></xdr:sp>")

    def arrow(n):
        return (f'<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="{n}" name="Right Arrow {n - 1}"/>'
                '<xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="304800"/>'
                '</a:xfrm><a:prstGeom prst="rightArrow"><a:avLst/></a:prstGeom></xdr:spPr><xdr:style><a:lnRef idx="2">'
                '<a:schemeClr val="accent1"><a:shade val="50000"/></a:schemeClr></a:lnRef><a:fillRef idx="1">'
                '<a:schemeClr val="accent1"/></a:fillRef><a:effectRef idx="0"><a:schemeClr val="accent1"/></a:effectRef>'
                '<a:fontRef idx="minor"><a:schemeClr val="lt1"/></a:fontRef></xdr:style><xdr:txBody>'
                '<a:bodyPr rtlCol="0" anchor="ctr"/><a:lstStyle/><a:p><a:pPr algn="l"/><a:endParaRPr lang="en-US" '
                'sz="1100"/></a:p></xdr:txBody></xdr:sp>')
    anchor(pkg, part, (13, 18), (17, 22), box)
    anchor(pkg, part, (13, 23), (15, 25), arrow)
    return []


_T75 = ('<v:shapetype id="_x0000_t75" coordsize="21600,21600" o:spt="75" o:preferrelative="t" '
        'path="m@4@5l@4@11@9@11@9@5xe" filled="f" stroked="f"><v:stroke joinstyle="miter"/><v:formulas>'
        + "".join(f'<v:f eqn="{e}"/>' for e in (
            "if lineDrawn pixelLineWidth 0", "sum @0 1 0", "sum 0 0 @1", "prod @2 1 2", "prod @3 21600 pixelWidth",
            "prod @3 21600 pixelHeight", "sum @0 0 1", "prod @6 1 2", "prod @7 21600 pixelWidth",
            "sum @8 21600 0", "prod @7 21600 pixelHeight", "sum @10 21600 0"))
        + '</v:formulas><v:path o:extrusionok="f" gradientshapeok="t" o:connecttype="rect"/>'
        '<o:lock v:ext="edit" aspectratio="t"/></v:shapetype>')


@feature("header_footer_picture", "Worklist, page header",
         "a printed header with the practice's logo (&G, legacyDrawingHF to a VML picture)")
def header_footer_picture(pkg):
    sheet = pkg.sheet_part("Worklist")
    vml = pkg.free_name("xl/drawings/vmlDrawing{}.vml")
    pkg.put(vml, VML_HEAD + '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="2"/></o:shapelayout>' + _T75
            + '<v:shape id="LH" o:spid="_x0000_s2049" type="#_x0000_t75" style="position:absolute;margin-left:0;'
            'margin-top:0;width:90pt;height:30pt;z-index:1"><v:imagedata o:relid="rId1" o:title="clinic-logo"/>'
            '<o:lock v:ext="edit" rotation="t"/></v:shape></xml>')
    pkg.default("vml", CT + "vmlDrawing")
    pkg.add_rel(vml, RT + "image", image(pkg, (0, 90, 160), (255, 255, 255)))
    rid = pkg.add_rel(sheet, RT + "vmlDrawing", vml)
    header = '<oddHeader>&amp;L&amp;G&amp;C&amp;"-,Bold"&amp;14Follow-up worklist&amp;R&amp;D</oddHeader>'

    def put_header(x: str) -> str:
        x = declare(x, "r", R)
        if re.search(r"<oddHeader\s*/>", x):
            x = re.sub(r"<oddHeader\s*/>", header, x, 1)
        elif "<headerFooter" in x:
            x = re.sub(r"<headerFooter(\s[^>]*)?>", lambda m: m.group(0) + header, x, 1)
        else:
            x = insert_child(x, "headerFooter", f"<headerFooter>{header}</headerFooter>")
        return insert_child(x, "legacyDrawingHF", f'<legacyDrawingHF r:id="{rid}"/>')
    edit(pkg, sheet, put_header)
    return [Mark(sheet, header, "the header text with &G"),
            Mark(sheet, f'<legacyDrawingHF xmlns:r="{R}" r:id="{rid}"/>', "legacyDrawingHF to the header picture")]


@feature("form_check_box", "Practice", "a form check box linked to a cell (VML, ctrlProp part, <controls>)")
def form_check_box(pkg):
    sheet = user_sheet(pkg)
    vml = pkg.free_name("xl/drawings/vmlDrawing{}.vml")
    pkg.put(vml, VML_HEAD + '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="3"/></o:shapelayout>'
            '<v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">'
            '<v:stroke joinstyle="miter"/><v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" '
            'o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/></v:shapetype><v:shape id="_x0000_s3073" '
            'type="#_x0000_t201" style="position:absolute;margin-left:292.5pt;margin-top:15pt;width:120pt;height:18pt;'
            'z-index:1;mso-wrap-style:tight" filled="f" fillcolor="window [65]" stroked="f" '
            'strokecolor="windowText [64]" o:insetmode="auto"><v:path shadowok="t" strokeok="t" fillok="t"/>'
            '<o:lock v:ext="edit" rotation="t"/><v:textbox style="mso-direction-alt:auto" o:singleclick="f">'
            '<div style="text-align:left"><font face="Segoe UI" size="160" color="auto">Month closed</font></div>'
            '</v:textbox><x:ClientData ObjectType="Checkbox"><x:Anchor>4, 0, 1, 0, 6, 0, 2, 4</x:Anchor>'
            '<x:AutoFill>False</x:AutoFill><x:AutoLine>False</x:AutoLine><x:TextVAlign>Center</x:TextVAlign>'
            '<x:FmlaLink>$F$2</x:FmlaLink><x:Checked>1</x:Checked><x:NoThreeD/></x:ClientData></v:shape></xml>')
    pkg.default("vml", CT + "vmlDrawing")
    vml_id = pkg.add_rel(sheet, RT + "vmlDrawing", vml)
    prop = pkg.free_name("xl/ctrlProps/ctrlProp{}.xml")
    pkg.put(prop, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<formControlPr '
            'xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" objectType="CheckBox" '
            'checked="Checked" fmlaLink="$F$2" lockText="1" noThreeD="1"/>')
    pkg.override(prop, "application/vnd.ms-excel.controlproperties+xml")
    ctrl_id = pkg.add_rel(sheet, RT + "ctrlProp", prop)
    mc = ('xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          f'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" xmlns:xdr="{XDR}"')
    pos = "<{0}><xdr:col>{1}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{2}</xdr:row><xdr:rowOff>0</xdr:rowOff></{0}>"
    controls = (f'<mc:AlternateContent {mc}><mc:Choice Requires="x14"><controls><mc:AlternateContent {mc}>'
                f'<mc:Choice Requires="x14"><control shapeId="3073" r:id="{ctrl_id}" name="Check Box 1">'
                '<controlPr defaultSize="0" autoFill="0" autoLine="0" autoPict="0"><anchor moveWithCells="1">'
                + pos.format("from", 4, 1) + pos.format("to", 6, 2)
                + "</anchor></controlPr></control></mc:Choice></mc:AlternateContent></controls></mc:Choice>"
                "</mc:AlternateContent>")

    def put(x: str) -> str:
        x = set_cells(declare(x, "r", R), ['<c r="F2" t="b"><v>1</v></c>'])
        x = insert_child(x, "legacyDrawing", f'<legacyDrawing r:id="{vml_id}"/>')
        return insert_child(x, "controls", controls)
    edit(pkg, sheet, put)
    return []


@feature("background_picture", "Practice", "a sheet background picture (<picture r:id>)")
def background_picture(pkg):
    sheet = user_sheet(pkg)
    rid = pkg.add_rel(sheet, RT + "image", image(pkg, (235, 245, 255), (220, 230, 250), (64, 64)))
    edit(pkg, sheet, lambda x: insert_child(declare(x, "r", R), "picture", f'<picture r:id="{rid}"/>'))
    return []


@feature("payers_tab_color", "Payers (a generated sheet)", "a tab colour on a sheet claimbook regenerates")
def payers_tab_color(pkg):
    sheet = pkg.sheet_part("Payers")
    tab = '<tabColor rgb="FF00B050"/>'

    def put(x: str) -> str:
        if re.search(r"<sheetPr\b[^>]*/>", x):
            return re.sub(r"<sheetPr\b([^>]*?)\s*/>", rf"<sheetPr\1>{tab}</sheetPr>", x, 1)
        if "<sheetPr" in x:
            return re.sub(r"<sheetPr\b[^>]*>", lambda m: m.group(0) + tab, x, 1)
        return insert_child(x, "sheetPr", f"<sheetPr>{tab}</sheetPr>")
    edit(pkg, sheet, put)
    return [Mark(sheet, f"<sheetPr>{tab}</sheetPr>", "the Payers tab colour")]
