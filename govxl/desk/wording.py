"""The desk's own words: every text of its pages, buttons, statuses, messages, error pages and
files meant for people, in Chinese (the default) and English (`govxl desk --lang en`).

A text is a code and its (zh, en) templates with the same placeholders, checked by
tests/test_catalogue.py as the findings' catalogue is (govxl/catalogue.py). The desk's pages and
views say a text with :func:`say`; nothing of the desk's own prose is written anywhere else.
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- statuses (of a unit, of an upload)
    "status-passed": ("通过", "passed"),
    "status-failed": ("不通过", "failed"),
    "status-unreadable": ("无法校验", "could not check"),
    "status-missing": ("未报送", "not submitted"),
    "status-not_verified": ("未能核对", "not verified"),
    "status-held": ("待确认（暂不计入汇总）", "waiting for the office (not counted yet)"),
    "status-left_out": ("不计入汇总（公开办决定）", "left out of the roll-up (the office's decision)"),
    "status-scanning": ("识别中", "reading the scan…"),  # a scan waiting for text recognition (the OCR queue)
    # ---------------------------------------------------------------- every page
    "desk": ("收表台", "Collection desk"),
    "desk-name": ("govxl 收表台", "govxl collection desk"),
    "list-sep": ("、", ", "),
    "colon": ("：", ": "),
    "paren": ("（{text}）", " ({text})"),
    "paren-open": ("（", " ("),
    "paren-close": ("）", ")"),
    "not-filled": ("（未填写）", "(not filled in)"),
    "n-errors": ("（{n} 个错误）", " ({n} errors)"),
    "logout": ("退出", "Log out"),
    "season-year": ("{year} 年度", "Season {year}"),
    "overview": ("年度概览", "Season overview"),
    "th-position": ("序号", "No."),
    "th-unit": ("单位", "Unit"),
    "th-status": ("状态", "Status"),
    "th-this-year": ("本年", "This year"),
    "th-last-year": ("上年", "Last year"),
    "th-measure": ("指标", "Figure"),
    "uploads": ("上传记录", "Uploads"),
    "jumps-head": ("与上年相比变化较大的指标", "Figures that changed much from last year"),
    # ---------------------------------------------------------------- error pages
    "error-title": ("出错了", "Error"),
    "error-head": ("无法完成", "Could not be done"),
    "home": ("首页", "Home"),
    "e-too-large": ("文件太大：上传的文件不能超过 {mb} MB。", "File too large: an upload may be at most {mb} MB."),
    "e-bad-request": ("请求无法处理（格式不正确）。", "The request cannot be handled (it is malformed)."),
    "e-404": ("找不到这个页面。", "Page not found."),
    "e-403": ("没有权限。", "Not allowed."),
    "e-405": ("不支持这种请求。", "This kind of request is not supported."),
    "e-other": ("请求无法处理。", "The request cannot be handled."),
    "e-500": ("内部错误，请稍后重试。", "Internal error; please try again later."),
    "e-csrf": ("表单已过期或来源不明（缺少 CSRF 令牌），请刷新页面后重试。",
               "The form has expired or comes from elsewhere (no CSRF token); reload the page and try again."),
    # ---------------------------------------------------------------- logging in
    "login": ("登录", "Log in"),
    "login-head": ("公开办登录", "Office login"),
    "admin-password": ("管理密码", "Admin password"),
    "login-wait": ("密码输错次数较多，请 {seconds} 秒后再试。", "Too many wrong passwords: try again in {seconds} seconds."),
    "login-wrong": ("密码不正确。", "Wrong password."),
    # ---------------------------------------------------------------- the office's seasons
    "seasons": ("收表年度", "Seasons"),
    "change-password": ("修改管理密码", "Change the admin password"),
    "th-report-year": ("报告年度", "Report year"),
    "th-edition": ("格式版本", "Edition"),
    "th-summary-agency": ("汇总单位", "Summary by"),
    "th-opened": ("开始于", "Opened"),
    "closed-mark": ("（已结束）", " (closed)"),
    "no-season": ("还没有开始收表。", "No season opened yet."),
    "open-head": ("开始一个年度的收表", "Open a season"),
    "f-report-year": ("报告年度", "Report year"),
    "f-edition": ("报告格式版本", "Edition of the report form"),
    "f-edition-auto": ("按年度自动选择", "chosen by the year"),
    "edition-n": ("{edition} 版", "edition {edition}"),
    "f-summary-agency": ("汇总单位（汇总报告的填报单位）", "Summary by (the agency named on the roll-up)"),
    "f-copy-units": ("沿用上一年度的单位名单（及其上年报告）", "Keep last season's units (and their reports as last year's)"),
    "open-season": ("开始收表", "Open the season"),
    "e-year-missing": ("请填写报告年度（例如 2025）。", "Give the report year (e.g. 2025)."),
    "e-year-range": ("报告年度不在合理范围内。", "The report year is out of range."),
    "e-edition": ("未知的报告格式版本。", "Unknown edition of the report form."),
    "e-season-exists": ("{year} 年度的收表已经开始。", "The {year} season is already open."),
    # ---------------------------------------------------------------- the dashboard
    "dash-title": ("{year} 年度收表", "Season {year}"),
    "dash-head": ("{year} 年度政府信息公开工作年度报告收表",
                  "Collecting the {year} annual reports on government information disclosure"),
    "dash-edition": ("格式版本：{edition} 版", "Edition: {edition}"),
    "dash-agency": ("；汇总单位：{agency}", "; summary by: {agency}"),
    "dash-closed": ("本年度收表已于 {when} 结束：不再接收上传，汇总已固定。",
                    "This season was closed on {when}: no more uploads, the roll-up is frozen."),
    "n-units": ("单位", "Units"),
    "n-submitted": ("已报送", "Submitted"),
    "n-passed": ("通过", "Passed"),
    "n-failed": ("未通过", "Not passed"),
    "n-missing": ("未报送", "Not submitted"),
    "n-waiting": ("待确认或未能核对", "Waiting or not verified"),
    "bar": ("通过 {passed} / 未通过 {failed} / 未报送 {missing}", "passed {passed} / not passed {failed} / "
            "not submitted {missing}"),
    "progress-head": ("进度：", "Progress: "),
    "progress-tail": (" 的单位已通过校验。", " of the units have passed."),
    "blanks-zip": ("下载全部空白工作簿（zip）", "Download every blank workbook (zip)"),
    "links-csv": ("各单位专用链接（CSV）", "Each unit's own link (CSV)"),
    "rollup-frozen": ("下载已固定的汇总（.xlsx）", "Download the frozen roll-up (.xlsx)"),
    "rollup-make": ("汇总通过的报告（.xlsx）", "Roll up the passed reports (.xlsx)"),
    "export-csv": ("导出 CSV", "Export CSV"),
    "export-json": ("导出 JSON", "Export JSON"),
    "th-uploads": ("上传次数", "Uploads"),
    "th-latest": ("最近上传", "Latest upload"),
    "th-blank": ("空白工作簿", "Blank workbook"),
    "download": ("下载", "Download"),
    "prefilled": ("（已预填上年结转）", " (last year's carry-over filled in)"),
    "rollup-head": ("汇总", "Roll-up"),
    "tally-head": ("汇总计入 ", "The roll-up counts "),
    "tally-tail": (" 个单位（最近一次上传通过校验、没有待确认事项）",
                   " units (their latest upload passed, nothing waits for a decision)"),
    "tally-left": ("；以下 {n} 个单位未计入：", "; these {n} units are left out:"),
    "tally-none-left": ("，没有单位未计入。", "; no unit is left out."),
    "th-why-left": ("未计入的原因", "Why it is left out"),
    "reopen": ("重新开启本年度收表", "Reopen this season"),
    "close": ("结束本年度收表（不再接收上传，固定汇总）", "Close this season (no more uploads, the roll-up frozen)"),
    "retired-head": ("已停用的单位", "Retired units"),
    "add-head": ("添加单位", "Add units"),
    "f-names": ("单位名称（每行一个，可从表格中粘贴；一行中用逗号或顿号隔开的是几个单位）",
                "Unit names (one a line, pasted from a spreadsheet if you like; names on one line separated by "
                "commas are several units)"),
    "f-names-csv": ("或选择 CSV 文件（第一列为单位名称）", "Or choose a CSV file (unit names in the first column)"),
    "add": ("添加", "Add"),
    "f-previous": ("或选择各单位的上年度（{year} 年度）报告（可多选）：按报告中的填报单位对应到单位（名单中没有的会添加；"
                   "其他年度的报告不使用），用于预填上年结转和跨年度核对",
                   "Or choose the units' reports of last year ({year}), several at once: each goes to the unit it "
                   "names (units not on the list are added; reports of other years are not used), to fill in last "
                   "year's carry-over and check across years"),
    "take-previous": ("读取上年报告", "Read last year's reports"),
    "added": ("已添加 {n} 个单位。", "{n} units added."),
    "added-known": ("已添加 {n} 个单位，{k} 个已在名单中（名称相同或看起来相同：{names}）。",
                    "{n} units added; {k} already on the list (the same name or one that looks the same: {names})."),
    "e-previous-none": ("请选择上年度的报告（可一次选择多个文件）。", "Choose last year's reports (several files at once)."),
    "previous-got": ("上年报告：{matched} 份对应到已有单位，{added} 份新增了单位", "Last year's reports: {matched} went "
                     "to units on the list, {added} added a unit"),
    "previous-unreadable": ("，{n} 份无法使用（{names}）", ", {n} could not be used ({names})"),
    "previous-wrong-year": ("，{n} 份不是 {year} 年度的报告，未使用（{names}）",
                            ", {n} are not reports of {year} and were not used ({names})"),
    "end": ("。", "."),
    # ---------------------------------------------------------------- a unit, as the office sees it
    "retired-mark": ("（已停用）", " (retired)"),
    "status-now": ("当前状态：", "Status now: "),
    "former-names": ("曾用名：", "Former names: "),
    "unit-link": ("{year} 年度。单位的专用上传链接（请只发给该单位）：",
                  "Season {year}. The unit's own upload link (send it to this unit only):"),
    "download-blank": ("下载空白工作簿", "Download the blank workbook"),
    "prefilled-last": ("（已按上年报告预填上年结转）", " (last year's carry-over filled in from last year's report)"),
    "th-unit-says": ("单位说明", "The unit's explanation"),
    "accepted": ("已确认", "accepted"),
    "not-explained": ("（单位尚未说明）", "(not explained yet)"),
    "rename-head": ("改名或停用", "Rename or retire"),
    "f-new-name": ("新名称（专用链接和上传记录不变）", "New name (the link and the uploads stay)"),
    "rename": ("改名", "Rename"),
    "restore": ("恢复该单位", "Restore this unit"),
    "retire": ("停用该单位（不再列入名单和汇总，上传记录保留）",
               "Retire this unit (off the list and the roll-up; its uploads are kept)"),
    "previous-head": ("上年报告", "Last year's report"),
    "previous-kept": ("已记录上年报告（内容摘要 {sha}）。", "Last year's report is on record (digest {sha})."),
    "previous-no": ("尚无上年报告。", "No report of last year yet."),
    "previous-why": ("上传上年报告后，空白工作簿会预填上年结转数，本年报告会核对跨年度关系。",
                     "With last year's report, the blank workbook gets last year's carry-over and this year's report "
                     "is checked against it."),
    "previous-upload": ("上传上年报告", "Upload last year's report"),
    "e-previous-file": ("请选择上年度的报告文件（{types}）。", "Choose last year's report ({types})."),
    "previous-set": ("已记录上年报告。", "Last year's report is on record."),
    "previous-bad": ("上年报告无法校验，未记录：{why}", "Last year's report could not be checked and is not kept: {why}"),
    # ---------------------------------------------------------------- uploads and their results
    "th-time": ("时间", "Time"),
    "th-file": ("文件", "File"),
    "th-size": ("大小", "Size"),
    "th-digest": ("内容摘要（SHA-256）", "Digest (SHA-256)"),
    "th-verdict": ("结论", "Verdict"),
    "th-errors": ("错误", "Errors"),
    "th-warnings": ("警告", "Warnings"),
    "view": ("查看", "View"),
    "original": ("原文件", "Original"),
    "no-upload": ("还没有上传。", "Nothing uploaded yet."),
    "result": ("校验结果", "Check result"),
    "result-about": ("单位：{unit} · 收表年度：{year} 年度（{edition} 版） · 文件：{file}（{size} 字节） · 上传于 {when}",
                     "Unit: {unit} · season {year} (edition {edition}) · file: {file} ({size} bytes) · uploaded {when}"),
    "report-says": ("报告中写的：填报单位 {agency} · 报告年度 {year} · 格式版本 {edition} 版",
                    "The report says: agency {agency} · year {year} · edition {edition}"),
    "verdict": ("结论：", "Verdict: "),
    "scanning-note": ("这是扫描件或图片，正在用文字识别（OCR）读取其中的表格，每页约需 10–20 秒，"
                      "前面还有扫描件时需要等候；本页会自动刷新，读完即显示结论",
                      "this is a scan or a picture: its tables are being read by text recognition (OCR), "
                      "some 10–20 seconds a page, after any scan uploaded before it; this page refreshes "
                      "itself and shows the verdict once it is read"),
    "result-counts": ("（{errors} 个错误，{warnings} 个警告，{infos} 个提示）",
                      " ({errors} errors, {warnings} warnings, {infos} notes)"),
    "desk-check": ("与本单位、本年度的核对：", "Against this unit and this season:"),
    "decided-count": ("公开办已确认：计入汇总。", "The office has decided: counted in the roll-up."),
    "decided-leave": ("公开办已确认：不计入汇总。", "The office has decided: left out of the roll-up."),
    "undo": ("撤销确认", "Undo the decision"),
    "count-it": ("确认无误，计入汇总", "Accept: count it"),
    "leave-it": ("不计入汇总", "Leave it out"),
    "held-note": ("公开办确认前，本报告暂不计入汇总。", "Until the office accepts it, this report is not counted."),
    "marked": ("下载标注副本（问题单元格已着色并加批注）",
               "Download the marked copy (the cells at fault coloured, with comments)"),
    "download-original": ("下载原文件", "Download the original"),
    "upload-again": ("改正后重新上传", "Correct it and upload again"),
    "e-no-held": ("这份上传没有待确认的事项。", "This upload has nothing waiting for a decision."),
    "e-decision": ("请选择计入或不计入。", "Choose to count it or to leave it out."),
    "e-closed-reopen": ("本年度收表已结束，请先重新开启。", "This season is closed; reopen it first."),
    "flash-count": ("已确认：计入汇总。", "Decided: counted in the roll-up."),
    "flash-leave": ("已确认：不计入汇总。", "Decided: left out of the roll-up."),
    "flash-undo": ("已撤销确认。", "The decision is undone."),
    # ---------------------------------------------------------------- a unit's own page
    "unit-title": ("{unit} · {year} 年度报告", "{unit} · report for {year}"),
    "unit-head": ("{year} 年度政府信息公开工作年度报告", "Annual report on government information disclosure, {year}"),
    "unit-is": ("填报单位：", "Unit: "),
    "now-passed": ("（最近一次上传已通过校验，将计入汇总）", " (the latest upload passed and will be counted)"),
    "now-missing": ("（还没有上传）", " (nothing uploaded yet)"),
    "now-other": ("（以最近一次上传为准；请查看下面的上传记录）", " (as of the latest upload; see the uploads below)"),
    "unit-closed": ("{year} 年度的收表已经结束，不再接收上传。", "The {year} season is closed: no more uploads."),
    "unit-retired": ("本单位已不在收表名单中，不再接收上传。", "This unit is no longer on the list: no more uploads."),
    "step-blank": ("下载本单位的工作簿", "Download this unit's workbook"),
    "step-blank-note": ("（只能在应填单元格中填写{prefilled}）。", " (only its input cells can be filled in{prefilled})."),
    "step-prefilled": ("；已预填上年结转数", "; last year's carry-over is filled in"),
    "step-upload": ("填好后在下面上传。上传后立即显示校验结果，有问题的单元格会标出；改正后可再次上传。",
                    "Fill it in and upload it below. The check is shown at once, the cells at fault marked; correct "
                    "them and upload again."),
    "f-file": ("报告文件（{types}，不超过 {mb} MB）", "Report file ({types}, at most {mb} MB)"),
    "upload": ("上传并校验", "Upload and check"),
    "jumps-ask": ("以下指标与本单位上年报告相比变化较大，请说明原因（数据无误也请说明）。",
                  "These figures changed much from this unit's report of last year: please say why (even when they "
                  "are right)."),
    "th-explanation": ("说明", "Explanation"),
    "office-accepted": ("公开办已确认", "Accepted by the office"),
    "send-explanation": ("提交说明", "Send"),
    "e-no-jump": ("这一指标没有需要说明的变化。", "This figure has no change to explain."),
    "e-no-text": ("请填写说明。", "Write the explanation."),
    "explained-sent": ("已提交说明。", "Explanation sent."),
    "e-season-closed": ("{year} 年度的收表已经结束，不再接收上传；如需更正请联系公开办。",
                        "The {year} season is closed: no more uploads; ask the office for a correction."),
    "e-retired": ("本单位已不在收表名单中，不再接收上传；如有疑问请联系公开办。",
                  "This unit is no longer on the list: no more uploads; ask the office if in doubt."),
    "e-too-often": ("上传过于频繁，请稍后再试。", "Too many uploads: try again in a while."),
    "e-no-file": ("请选择要上传的文件。", "Choose the file to upload."),
    "e-file-type": ("不支持这种文件：请上传 {types}。", "This kind of file is not taken: upload {types}."),
    "e-empty": ("上传的文件是空的。", "The uploaded file is empty."),
    "e-crashed": ("无法校验：文件导致校验进程异常退出或超时，请检查文件后重新上传",
                  "could not check: the file made the check stop or run out of time; check the file and upload it again"),
    "e-scan-crashed": ("无法校验：扫描件的识别进程异常退出或超时，请检查文件后重新上传",
                       "could not check: reading the scan ended the text recognition's process or took too long; "
                       "check the file and upload it again"),
    # ---------------------------------------------------------------- the season overview
    "ov-title": ("{year} 年度概览", "Season {year}: overview"),
    "ov-intro": ("各单位最近一次通过校验的报告（没有通过的用最近一次能校验的报告）。位次：低于该单位的单位所占比例。"
                 "与上年相比变化超出阈值的标为“待核实”：单位可在自己的页面上说明原因，公开办核实后标为“已说明”。",
                 "Each unit's latest report that passed (or its latest report that could be checked). Rank: the "
                 "share of units below it. A change from last year beyond the threshold is marked “to look into”: "
                 "the unit may explain it on its page, and the office marks it “explained”."),
    "ov-have-data": ("{n} 个单位有数据：", "{n} units have data: "),
    "ov-flags": ("；与上年相比变化较大 {flags} 个，待核实 ", "; {flags} changed much from last year, to look into: "),
    "ov-flags-tail": (" 个。", "."),
    "th-rank": ("位次", "Rank"),
    "th-against": ("与上年相比", "Against last year"),
    "unit-says": ("单位说明：", "The unit says: "),
    "explained": ("已说明", "explained"),
    "to-look-into": ("待核实", "to look into"),
    "office-note": ("公开办备注（可不填）", "the office's note (optional)"),
    "mark-explained": ("标为已说明", "Mark as explained"),
    "e-measure": ("未知的指标。", "Unknown figure."),
    # ---------------------------------------------------------------- the office manages
    "password-old": ("原密码", "Current password"),
    "password-new": ("新密码（至少 {n} 个字符）", "New password (at least {n} characters)"),
    "password-again": ("再输入一次新密码", "The new password again"),
    "change": ("修改", "Change"),
    "e-password-old": ("原密码不正确。", "The current password is wrong."),
    "e-password-short": ("新密码至少 {n} 个字符。", "The new password needs at least {n} characters."),
    "e-password-differ": ("两次输入的新密码不一致。", "The two new passwords differ."),
    "password-changed": ("管理密码已修改。", "The admin password is changed."),
    "e-already-closed": ("本年度收表已经结束。", "This season is already closed."),
    "closed-frozen": ("本年度收表已结束：不再接收上传，汇总已固定，可随时下载。",
                      "The season is closed: no more uploads; the roll-up is frozen and can be downloaded."),
    "closed-empty": ("本年度收表已结束：不再接收上传（没有可计入的报告）。",
                     "The season is closed: no more uploads (no report to count)."),
    "reopened": ("已重新开启本年度收表：各单位可以再上传，汇总按最新情况生成。",
                 "The season is open again: units may upload, the roll-up follows the latest uploads."),
    "e-name-taken": ("名单中已有“{name}”（名称相同或看起来相同）。", "“{name}” is already on the list (or a name that looks "
                     "the same)."),
    "renamed": ("已改名；原名称和上传记录都保留。", "Renamed; the former name and the uploads are kept."),
    "restored": ("已恢复该单位。", "The unit is back on the list."),
    "retired": ("已停用该单位：不再列入名单和汇总，不再接收上传；上传记录保留。",
                "The unit is retired: off the list and the roll-up, no more uploads; its uploads are kept."),
    # ---------------------------------------------------------------- files, the roll-up
    "e-blank": ("无法生成“{unit}”的工作簿：{why}", "Cannot make the workbook of “{unit}”: {why}"),
    "e-nothing-counted": ("还没有可以计入汇总的报告（各单位最近一次上传通过校验、且无待确认事项），无法汇总或导出。",
                          "No report can be counted yet (a unit's latest upload passed, nothing waiting for a decision): "
                          "nothing to roll up or export."),
    "e-rollup": ("无法汇总：{why}", "Cannot roll up: {why}"),
    "e-rollup-none": ("无法汇总。", "Cannot roll up."),
    "e-frozen-broken": ("固定的汇总文件已损坏：请重新开启本年度收表后再结束，以重新生成汇总。",
                        "The frozen roll-up is damaged: reopen the season and close it again to make it anew."),
    "csv-position": ("序号", "No."),
    "csv-unit": ("单位", "Unit"),
    "csv-link": ("专用链接", "Own link"),
    "sheet-left-out": ("未计入的单位", "Units left out"),
    "sheet-unit": ("单位", "Unit"),
    "sheet-why": ("原因", "Why"),
    "file-links": ("{year}年报-各单位链接.csv", "{year}-report-links.csv"),
    "file-blanks": ("{year}年报-空白工作簿.zip", "{year}-report-blank-workbooks.zip"),
    "file-blank": ("{year}年报-{unit}.xlsx", "{year}-report-{unit}.xlsx"),
    "file-rollup": ("{year}年报-汇总.xlsx", "{year}-report-rollup.xlsx"),
    "file-export": ("{year}年报-导出.{to}", "{year}-report-export.{to}"),
    "file-marked": ("标注-{name}.xlsx", "marked-{name}.xlsx"),
    # ---------------------------------------------------------------- why a unit is left out of the roll-up
    "why-missing": ("未报送", "nothing submitted"),
    "why-unreadable": ("最近一次上传无法校验：{why}", "the latest upload could not be checked: {why}"),
    "why-scanning": ("最近一次上传是扫描件，正在识别（识别中），读完才能确定是否计入",
                     "the latest upload is a scan still being read (reading the scan…); whether it counts "
                     "is known once it is read"),
    "why-not-verified": ("最近一次上传未能核对：{why}", "the latest upload is not verified: {why}"),
    "why-failed": ("最近一次上传不通过（{n} 个错误）", "the latest upload failed ({n} errors)"),
    "why-says": ("：{says}", ": {says}"),
    "why-held": ("待公开办确认：{says}", "waiting for the office: {says}"),
    "why-left": ("公开办决定不计入：{says}", "the office left it out: {says}"),
    "why-sep": ("；", "; "),
    # ---------------------------------------------------------------- the console (govxl desk)
    "started": ("收表台已启动：{url} （数据在 {folder}；按 Ctrl+C 停止）",
                "The desk is running: {url} (its data in {folder}; Ctrl+C stops it)"),
    "links-start": ("各单位的链接以 {url}/ 开头", "The units' links start with {url}/"),
    "links-hint": ("（可用 --base-url 指定对外的地址，下次启动会沿用）",
                   " (--base-url sets the address others use; it is kept for the next starts)"),
}

# The file types a unit may upload, as the page names them (govxl.desk.adapter.ACCEPTED: their
# Chinese names); a type without an English name here is named by its suffix.
TYPES_EN: dict[str, str] = {
    ".xlsx": "Excel workbook (.xlsx)",
    ".xlsm": "Excel macro-enabled workbook (.xlsm)",
    ".xls": "Excel 97-2003 workbook (.xls)",
    ".docx": "Word document (.docx)",
    ".pdf": "PDF file (.pdf)",
    ".tif": "scanned or photographed report pages (.tif, .png, .jpg)",
}

LANGS = ("zh", "en")


def say(code: str, lang: str = "zh", /, **params: object) -> str:
    """The text `code` in `lang` ("en", else Chinese) with `params` filled in."""
    zh, en = TEXTS[code]
    return (en if lang == "en" else zh).format(**params)


def status(code: str, lang: str = "zh") -> str:
    """What a status (passed, failed, not_verified, held, scanning...) is called; a status the desk
    has no word for yet is shown as its code rather than breaking the page."""
    return say(f"status-{code}", lang) if f"status-{code}" in TEXTS else code


def html_lang(lang: str) -> str:
    return "en" if lang == "en" else "zh-CN"


def type_names(accepted: dict[str, str], lang: str) -> list[str]:
    """The names of the accepted file types in `lang` (`accepted`: suffix -> Chinese name)."""
    if lang != "en":
        return list(accepted.values())
    return [TYPES_EN.get(s, f"{s[1:].upper()} ({s})") for s in accepted]
