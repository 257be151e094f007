"""The catalogue's error texts: the code, zh and en message of every reason a file cannot be read
(READ_ERRORS) and of every usage error (USAGE_ERRORS). govxl.catalogue holds them as well (import
them from there); govxl.errors.GovxlError(code=..., **params) is shown from them in either language.
A zh text and its en text use the same placeholders, a text parameter as {what} in zh and {what_en}
in en (tests/test_catalogue.py).
"""

from __future__ import annotations

# ------------------------------------------------------------------ why a file could not be read
# The code of a govxl.errors.GovxlError; JSON shows {"error": {"code", "message"}} (R-READ: a reason
# without a code of its own yet).
READ_ERRORS: dict[str, tuple[str, str]] = {
    "R-MISSING": ("找不到文件：{path}", "file not found: {path}"),
    "R-EMPTY": ("文件是空的：{path}", "the file is empty: {path}"),
    "R-CORRUPT": ("文件已损坏或不完整，无法作为 xlsx 打开：{name}", "the file is damaged or incomplete; it cannot be "
                  "opened as an xlsx workbook: {name}"),
    "R-ENCRYPTED": ("文件已加密，请先取消密码再检查", "the file is encrypted: remove its password, then check it"),
    "R-OLDXLS": ("这是旧版 Excel（.xls）文件，请在 Excel 或 WPS 中另存为 .xlsx 后再检查",
                 "this is an old Excel (.xls) file: save it as .xlsx in Excel or WPS, then check it"),
    "R-OLDDOC": ("这是旧版 Word（.doc）文档，不是 Excel 工作簿", "this is an old Word (.doc) document, not a workbook"),
    "R-OLDOFFICE": ("这是旧版 Office 文件，不是 xlsx 工作簿；请另存为 .xlsx 后再检查",
                    "this is an old Office file, not an xlsx workbook: save it as .xlsx, then check it"),
    "R-NOTXLSX": ("不是 xlsx 工作簿：{what}", "not an xlsx workbook: {what_en}"),
    "R-LOCKFILE": ("这是 Office 的临时锁定文件，不是工作簿：{name}", "this is an Office lock file, not a workbook: {name}"),
    "R-BROKENLINK": ("这是一个失效的链接（指向的文件不存在，或链接形成循环）：{path}",
                     "this is a broken link (its target does not exist, or the links form a loop): {path}"),
    "R-FOLDER": ("这是一个文件夹，不是文件：{path}", "this is a folder, not a file: {path}"),
    "R-NOTFILE": ("这不是普通文件（可能是设备或管道）：{path}",
                  "this is not a regular file (perhaps a device or a pipe): {path}"),
    "R-DENIED": ("没有权限读取文件：{path}", "no permission to read the file: {path}"),
    "R-LONGNAME": ("文件名太长：{path}", "the file name is too long: {path}"),
    "R-LINKLOOP": ("符号链接循环：{path}", "the symbolic links form a loop: {path}"),
    "R-IO": ("磁盘读写错误：{path}", "a disk read error: {path}"),
    "R-OSERROR": ("无法读取文件：{path}（{why}）", "cannot read the file: {path} ({why})"),
    "R-XLSB": ("这是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 后再检查",
               "this is an Excel binary workbook (.xlsb): save it as .xlsx in Excel, then check it"),
    "R-ODS": ("这是 OpenDocument（.ods）表格，请另存为 .xlsx 后再检查",
              "this is an OpenDocument spreadsheet (.ods): save it as .xlsx, then check it"),
    "R-DOCX": ("这是 Word 文档，不是 Excel 工作簿", "this is a Word document, not an Excel workbook"),
    "R-ZIP": ("这是一个 zip 压缩包，但不是 xlsx 工作簿", "this is a zip archive, but not an xlsx workbook"),
    # A hostile or broken package: refused before it costs more than seconds and a few hundred MB.
    "R-BOMB": ("文件解压后体积异常巨大（疑似“压缩炸弹”），已拒绝读取",
               "the file inflates to an abnormal size (a suspected zip bomb); it was not read"),
    "R-RATIO": ("{what}解压后体积异常巨大（压缩比超过 {ratio} 倍，疑似“压缩炸弹”），已拒绝读取",
                "{what_en} inflates to an abnormal size (compressed more than {ratio} times: a suspected zip bomb); "
                "the file was not read"),
    "R-PARTSIZE": ("{what}过大（解压后 {mb} MB），远超年报工作簿的规模（可能误填充了整行或整列），已拒绝读取",
                   "{what_en} is too large ({mb} MB inflated), far beyond an annual report's workbook (perhaps whole "
                   "rows or columns were filled); the file was not read"),
    "R-INFLATE": ("文件已损坏或不完整（压缩数据无法解开）", "the file is damaged or incomplete (its compressed data cannot be "
                  "unpacked)"),
    "R-ENTRIES": ("文件中的部件数量异常（{n} 个），远超工作簿应有的数量，已拒绝读取",
                  "the file holds an abnormal number of parts ({n}), far more than a workbook has; it was not read"),
    "R-DUPPART": ("文件结构异常：部件 {part} 出现了两次（文件可能被篡改），已拒绝读取",
                  "abnormal file structure: the part {part} is there twice (the file may have been tampered with); "
                  "it was not read"),
    "R-NOPART": ("工作簿缺少部件 {part}，文件可能已损坏", "the workbook lacks its part {part}; the file may be damaged"),
    "R-ELEMENTS": ("{what}的内容多得异常（超过 {limit} 个 XML 元素），远超年报工作簿的规模（可能误填充了整行或整列），已拒绝读取",
                   "{what_en} holds abnormally much (over {limit} XML elements), far beyond an annual report's "
                   "workbook (perhaps whole rows or columns were filled); the file was not read"),
    "R-DTD": ("文件包含不安全的 XML 内容（DTD/实体引用），已拒绝读取",
              "the file holds unsafe XML (a DTD or entity references); it was not read"),
    "R-BADXML": ("文件已损坏：{what}不是有效的 XML", "the file is damaged: {what_en} is not valid XML"),
    "R-SHEETS": ("工作簿中有 {n} 张工作表，远超年报工作簿应有的数量，已拒绝读取",
                 "the workbook has {n} sheets, far more than an annual report's workbook; it was not read"),
    "R-DUPSHEET": ("工作簿中有两张同名的工作表“{name}”，文件可能已损坏或被篡改",
                   "the workbook has two sheets named “{name}”; the file may be damaged or tampered with"),
    "R-NOSHEET": ("工作表“{name}”的内容缺失（部件 {part} 不存在），文件已损坏",
                  "the content of the sheet “{name}” is missing (its part {part} does not exist); the file is damaged"),
    "R-NOTGOVXL": ("不是 govxl 生成的年报工作簿：缺少模板标识", "not a workbook made by govxl: its template identity "
                   "is missing"),
    "R-LAYOUT": ("不是 govxl 生成的年报工作簿：缺少模板标识，且表格版式与 {edition} 版不符（可能插入或删除了行、列）；"
                 "请用 govxl new 重新生成后填写", "not a workbook made by govxl: its template identity is missing and its "
                 "layout differs from edition {edition} (rows or columns inserted or deleted?); regenerate it with govxl new"),
    "R-NEWER": ("模板版本 {version} 比本程序认识的版本（{edition} 版第 {known} 版）新，请升级 govxl",
                "template version {version} is newer than this govxl knows (edition {edition}, version {known}): "
                "upgrade govxl"),
    "R-EDITION": ("未知的格式版本“{edition}”：本程序认识 {known}，请升级 govxl",
                  "unknown edition “{edition}”: this govxl knows {known}; upgrade govxl"),
    "R-EMPTYDIR": ("这是一个文件夹，其中没有 .xlsx 工作簿", "this is a folder without any .xlsx workbook"),
    "R-OPENPYXL": ("文件已损坏或不是 xlsx 工作簿，无法读取：{name}（{kind}）",
                   "the file is damaged or not an xlsx workbook and cannot be read: {name} ({kind})"),
    "R-MEMORY": ("无法读取：文件内容过多，内存不足", "cannot read: too much content for the memory available"),
    "R-UNEXPECTED": ("无法读取：文件结构异常（{detail}）；如确认文件无误，请把此信息报告给 govxl 开发者",
                     "cannot read: unexpected file structure ({detail}); if the file is sound, please report this "
                     "to the govxl developers"),
}

# Why a report that is not a govxl workbook (Word, PDF, .xls, .ods, a web page) could not be read,
# why last year's report could not be, and why the inputs of an aggregate cannot be combined.
# {what} / {what_en}: the kind of document (govxl.importer.cellgrid.KINDS).
READ_ERRORS.update({
    "R-PREVIOUS": ("上年报告 {file} 无法校验：{reason}", "last year's report {file} cannot be checked: {reason}"),
    "R-ISDIR": ("这是一个文件夹，不是文件：{path}", "this is a folder, not a file: {path}"),
    "R-NOTFILE": ("不是普通文件：{path}", "not a regular file: {path}"),
    "R-NOACCESS": ("没有权限读取文件：{path}", "no permission to read the file: {path}"),
    "R-OSERROR": ("无法读取文件：{path}（{why}）", "cannot read the file {path} ({why})"),
    "R-TOOBIG": ("文件太大（{mb} MB），不像是一份年度报告：{name}",
                 "the file is too big ({mb} MB) to be an annual report: {name}"),
    "R-NEEDS": ("读取{what}需要 {package}：pip install {package}", "reading {what_en} needs {package}: "
                "pip install {package}"),
    "R-NOTABLES": ("{where}没有找到年度报告的统计表（表二、表三、表四的标签都不在）；如果表格是图片，无法导入",
                   "no statistics table of an annual report was found in {where_en} (none of the labels of "
                   "tables 2, 3 and 4); tables that are pictures cannot be read"),
    "R-NOREPORT": ("不是年度报告：{where}没有统计表的数字（只在文字中提到了表格的标签）",
                   "not an annual report: {where_en} holds no number of the statistics tables (only their "
                   "labels, in running text)"),
    "R-DOC-OLDDOC": ("{name}：这是旧版 Word（.doc）文档，请在 Word 或 WPS 中另存为 .docx 后再检查",
                     "{name}: this is an old Word (.doc) document: save it as .docx in Word or WPS, then check it"),
    "R-DOC-OLDOFFICE": ("{name}：这是旧版 Office 文件，请另存为 .docx 或 .xlsx 后再检查",
                        "{name}: this is an old Office file: save it as .docx or .xlsx, then check it"),
    "R-DOC-NOTKIND": ("{name}：文件内容不是{what}（可能已损坏或是其他类型的文件）",
                      "{name}: the content is not {what_en} (damaged, or another kind of file)"),
    "R-DOC-NOTPDF": ("{name}：文件名是 .pdf，但内容不是 PDF 文件", "{name}: named .pdf, but the content is not a PDF"),
    "R-DOC-NOTXLS": ("{name}：文件名是 .xls，但内容不是{what}", "{name}: named .xls, but the content is not {what_en}"),
    "R-DOC-PARTS": ("{what}中的部件数量异常（{n} 个），已拒绝读取",
                    "{what_en} holds an abnormal number of parts ({n}); refused"),
    "R-DOC-BOMB": ("{what}解压后体积异常巨大（疑似“压缩炸弹”），已拒绝读取",
                   "{what_en} inflates to an abnormal size (a suspected zip bomb); refused"),
    "R-DOC-CORRUPT": ("{name}：{what}已损坏或不完整，无法打开", "{name}: {what_en} is damaged or incomplete and "
                      "cannot be opened"),
    "R-DOC-DTD": ("{name}：文档中含有不允许的 XML 声明（DOCTYPE/ENTITY），已拒绝读取",
                  "{name}: the document holds XML declarations that are not allowed (DOCTYPE/ENTITY); refused"),
    "R-DOC-HUGE": ("{name}：{part}多得异常，远超年度报告的规模，已拒绝读取",
                   "{name}: {part_en} is abnormally large, far beyond an annual report; refused"),
    "R-DOC-BUDGET": ("{name}：{part}超出一份年度报告的合理规模（上限 {most}），已拒绝读取",
                     "{name}: {part_en} is beyond what an annual report holds (at most {most}); refused"),
    "R-DOC-SLOW": ("{name}：读取这个文件超过 {seconds} 秒仍未完成（文件可能已损坏或内容异常庞大），已停止读取",
                   "{name}: reading this file took more than {seconds} seconds (it may be damaged or abnormally "
                   "large); stopped"),
    "R-DOC-MEMORY": ("{name}：读取这个文件需要超过 {mb} MB 内存（文件可能已损坏或内容异常庞大），已停止读取",
                     "{name}: reading this file needs more than {mb} MB of memory (it may be damaged or abnormally "
                     "large); stopped"),
    "R-DOC-CRASH": ("{name}：文件内容异常，读取时解析程序中止（文件可能已损坏），已停止读取",
                    "{name}: the content is malformed and the parser stopped while reading it (the file may be "
                    "damaged); stopped"),
    "R-DOC-UNREADABLE": ("{name}：无法读取这个{what}（文件已损坏或格式不受支持）",
                         "{name}: cannot read {what_en} (damaged, or a format not supported)"),
    "R-DOC-SHEET": ("{name}：无法读取这个{what}的工作表“{sheet}”（文件已损坏）",
                    "{name}: cannot read sheet “{sheet}” of {what_en} (the file is damaged)"),
    "R-PDF-PASSWORD": ("PDF 文件设有打开密码，请先取消密码再检查",
                       "the PDF has an opening password: remove it, then check the file"),
    "R-PDF-CRYPT": ("PDF 文件使用了不支持的加密方式，请先取消密码再检查",
                    "the PDF uses an encryption that is not supported: remove its password, then check it"),
    "R-PDF-DEEP": ("{name}：PDF 文件结构异常（嵌套过深），已拒绝读取",
                   "{name}: the PDF's structure is abnormal (nested too deeply); refused"),
    "R-PDF-BROKEN": ("{name}：PDF 文件已损坏或结构异常，无法读取", "{name}: the PDF is damaged or malformed and "
                     "cannot be read"),
    "R-PDF-LONG": ("PDF 有 {n} 页，不像是一份年度报告（最多读 {most} 页）：{name}",
                   "the PDF has {n} pages, too many for an annual report (at most {most} are read): {name}"),
    "R-PDF-PAGESIZE": ("{name}：PDF 的页面尺寸不可能（{size}），文件可能已损坏，无法读取",
                       "{name}: the PDF's page size is impossible ({size}); the file may be damaged and cannot be "
                       "read"),
    "R-PDF-NOPAGES": ("{name}：PDF 文件没有页面", "{name}: the PDF has no pages"),
    "R-PDF-SCAN": ("{name}：PDF 没有文字层（可能是扫描件或图片），无法读取其中的数字；请提供带文字的 PDF、Word 或网页版报告，"
                   "或安装文字识别（OCR）后再试：pip install 'govxl[ocr]'",
                   "{name}: the PDF has no text layer (a scan or a picture), so its numbers cannot be read; "
                   "provide a PDF with text, a Word document or the web page of the report, or install text "
                   "recognition (OCR) and try again: pip install 'govxl[ocr]'"),
    "R-OCR-NOTABLES": ("{name}：PDF 没有文字层（可能是扫描件或图片），文字识别也没有在其中找到年度报告的统计表"
                       "（表二、表三、表四的标签都不在）",
                       "{name}: the PDF has no text layer (a scan or a picture), and text recognition found no "
                       "table of the annual report in it (none of the labels of tables 2, 3 and 4)"),
    # a picture of report pages (.png/.jpg/.tif): read only with govxl[ocr] (govxl/importer/ocr.py)
    "R-OCR-IMAGE": ("{name}：这是图片，需要安装文字识别（OCR）才能读取其中的表格：pip install 'govxl[ocr]'",
                    "{name}: this is a picture; reading the tables in it needs text recognition (OCR): "
                    "pip install 'govxl[ocr]'"),
    "R-OCR-PICTURE": ("{name}：图片已损坏或格式无法识别，无法读取", "{name}: the picture is damaged or of an unknown format"),
    "R-TEXT-ENCODING": ("{name}：无法识别文字编码（不是 UTF-8 或 GBK 文本），或者不是文本文件",
                        "{name}: the text encoding is not recognised (neither UTF-8 nor GBK), or it is not a text "
                        "file"),
    "R-TEXT-BINARY": ("{name}：{what}", "{name}: {what_en}"),
    # aggregate's inputs that cannot be combined (govxl.errors.InputsError: the headline, then one line each)
    "R-AGG-MIXED": ("输入的报告不是同一版本和年度（应为 {want}{basis}），{n} 份不一致",
                    "the reports are not all of one edition and year (expected {want_en}{basis_en}); {n} differ"),
    "R-AGG-OVERLAP": ("输入中既有汇总报告，又有它已经汇总过的报告，会重复计算；请去掉其中之一",
                      "a summary report is given together with reports it already sums, which would count twice; "
                      "remove one or the other"),
    "R-AGG-EDITION": ("{edition} 版", "edition {edition}"),
    "R-AGG-YEAR": ("{year} 年", "year {year}"),
    "R-AGG-NOYEAR": ("未填写报告年度", "no report year filled in"),
    "R-AGG-INSIDE": ("已汇总了同时输入的《{name}》{more}", "already sums “{name}”{more_en}, also given"),
})


# ------------------------------------------------------------------ why a command cannot do what it was asked
# The code of a govxl.errors.UsageError (or CheckFailedError, SpecError): an impossible argument, an
# output path that cannot be written, inputs that give nothing to do. {path} and the like are data.
USAGE_ERRORS: dict[str, tuple[str, str]] = {
    # an output file (govxl.safefile.prepare_output)
    "U-SUFFIX": ("输出文件名应以 {suffix} 结尾：{path}", "the output file name must end in {suffix}: {path}"),
    "U-OUTISDIR": ("输出路径是一个文件夹：{path}", "the output path is a folder: {path}"),
    "U-OUTDIR": ("输出目录不存在：{path}", "the output folder does not exist: {path}"),
    "U-EXISTS": ("文件已存在：{path}（如需覆盖，请加 --force）", "the file already exists: {path} (add --force to "
                 "overwrite it)"),
    "U-NOWRITE": ("没有权限写入目录：{path}", "no permission to write in the folder: {path}"),
    "U-SAMEFILE": ("输出文件不能与输入文件相同：{path}（会覆盖输入，请换一个文件名）",
                   "the output file cannot be an input file: {path} (it would overwrite the input; choose another "
                   "name)"),
    # check --summary x.csv (govxl.report.batch.prepare_csv)
    "U-CSV-SUFFIX": ("汇总文件名应以 .csv 结尾：{path}", "the summary file name must end in .csv: {path}"),
    "U-CSV-ISDIR": ("汇总文件路径是一个文件夹：{path}", "the summary file's path is a folder: {path}"),
    "U-CSV-DIR": ("汇总文件的目录不存在：{path}", "the summary file's folder does not exist: {path}"),
    # check --annotate FOLDER (govxl.report.outputs)
    "U-ANNOTATE-FILE": ("--annotate 应为文件夹：{path}", "--annotate must be a folder: {path}"),
    "U-ANNOTATE-PARENT": ("标注副本的上级文件夹不存在：{path}",
                          "the folder that is to hold the marked-up copies' folder does not exist: {path}"),
    "U-ANNOTATE-INSIDE": ("标注副本的文件夹 {folder} 在要读取的文件夹 {inside} 之中：下次再校验时，副本会被当作报告再读一遍；"
                          "请换一个文件夹（或用以 . 开头的隐藏文件夹）",
                          "the folder of the marked-up copies, {folder}, is inside the folder being read, {inside}: "
                          "the next check would read the copies as reports again; choose another folder (or a hidden "
                          "one, whose name starts with .)"),
    "U-ANNOTATE-OVER": ("标注副本 {copy} 会覆盖输入文件 {path}；请换一个文件夹",
                        "the marked-up copy {copy} would overwrite the input file {path}; choose another folder"),
    "U-COPY-WRITE": ("无法写入 {path}：{why}", "cannot write {path}: {why}"),
    # files and folders to read (govxl.files, govxl.crossyear)
    "U-NOTFOUND": ("找不到文件或文件夹：{path}", "file or folder not found: {path}"),
    "U-EMPTYDIR": ("文件夹中没有 .xlsx 工作簿：{path}", "the folder holds no .xlsx workbook: {path}"),
    "U-NOFOLDER": ("找不到文件夹：{path}", "folder not found: {path}"),
    # last year's report (check --previous, new --from)
    "U-PREV-BOTH": ("--previous 与 --previous-dir 只能选一个", "give either --previous or --previous-dir, not both"),
    "U-PREV-MANY": ("--previous 只能用于校验一个文件；校验多个文件时请用 --previous-dir 文件夹",
                    "--previous is for checking one file; to check several, give --previous-dir FOLDER"),
    "U-PREV-SAME": ("上年报告与要校验的是同一个文件：{path}", "last year's report is the very file being checked: {path}"),
    "U-FROM-SAME": ("输出文件不能是上年报告本身：{path}", "the output file cannot be last year's report itself: {path}"),
    "U-FROM-NOYEAR": ("上年报告 {path} 未填写报告年度，请用 --year 指定本年度",
                      "last year's report {path} gives no report year: give this year with --year"),
    "U-FROM-YEAR": ("上年报告 {path} 是 {last} 年的，不能作为 {year} 年报告的上一年",
                    "last year's report {path} is for {last}, so it cannot be the year before {year}"),
    # a new workbook (govxl.writer)
    "U-YEAR": ("年度不合理：{year}", "implausible year: {year}"),
    "U-AGENCY-LONG": ("填报单位名称过长（{n} 个字符，最多 {most} 个）",
                      "the agency name is too long ({n} characters, at most {most})"),
    "U-AGENCY-CHARS": ("填报单位名称含有控制字符或无法识别的字符，请检查后重新输入",
                       "the agency name holds control characters or characters that cannot be recognised; check it "
                       "and enter it again"),
    # formats
    "U-EXPORT-FORMAT": ("不支持的导出格式：{to}（可选 json、csv）", "export format not supported: {to} (json or csv)"),
    "U-RENDER-FORMAT": ("不支持的格式：{to}（可选 {formats}）", "format not supported: {to} (one of {formats})"),
    # render a report (govxl.render, govxl.narrative)
    "U-CHECKFAILED": ("{file} 未通过校验，不能生成报告（如仍要生成，请加 --force）",
                      "{file} fails its check, so no report is made from it (add --force to make it anyway)"),
    "U-NOTITLE": ("工作簿封面没有填写填报单位或报告年度，无法生成报告标题；请在封面填写，或在正文文件第一行写“# 报告标题”",
                  "the workbook's cover gives no agency or no year, so the report has no title: fill them in on the "
                  "cover, or write \"# Title of the report\" as the first line of the text file"),
    "U-NOREPORT": ("{edition} 版的模板（{source}）没有定义报告的章节（[report]），无法生成报告",
                   "the template of edition {edition} ({source}) defines no sections of a report ([report]), so no "
                   "report can be made"),
    "U-TEXT-BIG": ("正文文件太大（超过 2 MB），请检查是否选错了文件：{path}",
                   "the text file is too big (over 2 MB): is it the right file? {path}"),
    "U-TEXT-MISSING": ("找不到正文文件：{path}", "text file not found: {path}"),
    "U-TEXT-ISDIR": ("正文文件是一个文件夹：{path}", "the text file is a folder: {path}"),
    "U-TEXT-OSERROR": ("无法读取正文文件 {path}：{why}", "cannot read the text file {path}: {why}"),
    "U-TEXT-ENCODING": ("正文文件不是 UTF-8 或 GBK 编码的文本：{path}", "the text file is not UTF-8 or GBK text: {path}"),
    "U-TEXT-BINARY": ("正文文件不是文本文件（例如 Word 文档），请另存为 .md 或 .txt：{path}",
                      "the text file is not plain text (a Word document?): save it as .md or .txt: {path}"),
    "U-TEXT-TABLE": ("{where}：“{heading}”由统计表生成，正文文件中不要写这一部分",
                     "{where}: “{heading}” is made from the tables; leave this section out of the text file"),
    "U-TEXT-TWICE": ("{where}：“{heading}”出现了两次", "{where}: “{heading}” is there twice"),
    "U-TEXT-TITLE": ("{where}：以一个 # 开头的报告标题只能写在第一行",
                     "{where}: the report's title (a line starting with one #) can only be the first line"),
    "U-TEXT-HEADING": ("{where}：不认识的部分标题“{heading}”（正文中的部分应为 {wanted}）",
                       "{where}: unknown section heading “{heading}” (the sections of the text are {wanted})"),
    # aggregate and check --children (govxl.aggregate)
    "U-AGG-NOFILES": ("没有找到 .xlsx 工作簿", "no .xlsx workbook found"),
    "U-AGG-UNREADABLE": ("没有一份可以校验的报告：{some}{more}", "not one report can be checked: {some}{more}"),
    "U-AGG-NONE": ("没有可以汇总的报告：{n} 份都未计入", "no report to sum: all {n} were left out"),
    "U-CHILDREN-NOFILES": ("没有找到下级报告（.xlsx 工作簿）", "no child reports (.xlsx workbooks) found"),
    "U-CHILDREN-NONE": ("没有可以比对的下级报告：{n} 份都未计入", "no child report to compare with: all {n} were left "
                        "out"),
    # the edition specs under templates/ (govxl.spec: a SpecError)
    "U-NOTEMPLATES": ("找不到模板目录 templates/（安装不完整？）",
                      "the template folder templates/ is missing (an incomplete installation?)"),
    "U-EDITION": ("未知的格式版本“{edition}”（已知：{known}）", "unknown edition “{edition}” (known: {known})"),
    "U-SPEC-TOML": ("{source}: TOML 语法错误：{why}", "{source}: TOML syntax error: {why}"),
    "U-SPEC-READ": ("{source}: 无法读取：{why}", "{source}: cannot be read: {why}"),
}
