//! The report as one HTML page that needs nothing else: its style, its script and its charts
//! (SVG drawn here by charts-rs) are all inside it, so it opens from `file://`, from an archive
//! and offline. Every figure comes from [`Figures`]; each is also written as
//! `data-figure="<name>"` so that a test can read the page's figures back.

use std::fmt::Write as _;

use charts_rs::{BarChart, LineChart, Series};

use super::figures::{Figures, StatusCounts, Training};
use crate::export::SnapshotInfo;

/// `&`, `<`, `>`, `"` and `'` escaped, control characters shown as `\u{..}`: text and
/// attribute values alike.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => push_visible(&mut out, c),
        }
    }
    out
}

/// A control character as `\u{..}`, anything else as it is.
fn push_visible(out: &mut String, c: char) {
    if c.is_control() && c != '\n' && c != '\t' {
        let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
    } else {
        out.push(c);
    }
}

/// A label for a chart, which escapes markup itself: control characters made visible only.
fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_visible(&mut out, c);
    }
    out
}

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:1rem 2rem;color:#1d2330}
header{border-bottom:2px solid #1d2330;margin-bottom:1rem}
h1{margin:.2rem 0}h2{margin-top:2rem;border-bottom:1px solid #ccd}
.evidence{font-family:ui-monospace,monospace;font-size:.8rem;color:#445}
.glance{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.8rem}
.glance div{border:1px solid #ccd;border-radius:6px;padding:.6rem}
.glance b{display:block;font-size:1.6rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #dde;padding:.25rem .4rem;text-align:left}
th[data-sort]{cursor:pointer}th[data-sort]:after{content:" \2195";color:#99a}
td.n{text-align:right;font-variant-numeric:tabular-nums}
input[type=search]{width:100%;padding:.4rem;margin:.4rem 0}
svg{max-width:100%;height:auto}
footer{display:none}
@media print{input{display:none}h2{break-before:auto}section{break-inside:avoid-page}
footer{display:block;position:fixed;bottom:0;font-size:.7rem;font-family:ui-monospace,monospace}}
"#;

/// Sorts a table by the column clicked and filters its rows by the search box before it.
const SCRIPT: &str = r#"
document.querySelectorAll("table[data-table]").forEach(function(table){
  var body=table.tBodies[0];
  table.querySelectorAll("th[data-sort]").forEach(function(th,col){
    th.addEventListener("click",function(){
      var up=th.getAttribute("aria-sort")!=="ascending";
      table.querySelectorAll("th").forEach(function(h){h.removeAttribute("aria-sort")});
      th.setAttribute("aria-sort",up?"ascending":"descending");
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){var x=a.cells[col].textContent,y=b.cells[col].textContent;return up?x.localeCompare(y):y.localeCompare(x)});
      rows.forEach(function(r){body.appendChild(r)});
    });
  });
  var box=document.querySelector('input[data-filter="'+table.id+'"]');
  if(box){box.addEventListener("input",function(){
    var q=box.value.toLowerCase(),shown=0;
    Array.prototype.forEach.call(body.rows,function(r){var hit=r.textContent.toLowerCase().indexOf(q)>=0;r.hidden=!hit;if(hit)shown++});
    var count=document.querySelector('[data-shown="'+table.id+'"]');if(count)count.textContent=shown;
  })}
});
"#;

fn figure(out: &mut String, name: &str, label: &str, value: &str) {
    let _ = write!(
        out,
        "<div><b data-figure=\"{}\">{}</b>{}</div>",
        escape(name),
        escape(value),
        escape(label)
    );
}

fn status_row(out: &mut String, kind: &str, t: &Training) {
    let c = &t.counts;
    let _ = write!(
        out,
        "<tr data-{kind}=\"{}\"><td>{}</td>",
        escape(&t.key),
        escape(&t.name)
    );
    for (name, n) in [
        ("passed", c.passed),
        ("inProgress", c.in_progress),
        ("notStarted", c.not_started),
        ("pastDue", c.past_due),
        ("other", c.other),
        ("total", c.total()),
    ] {
        let _ = write!(out, "<td class=n data-figure=\"{name}\">{n}</td>");
    }
    out.push_str("</tr>");
}

fn status_table(out: &mut String, kind: &str, heading: &str, rows: &[Training]) {
    let _ = write!(
        out,
        "<table data-table id=\"{kind}s\"><thead><tr><th data-sort>{heading}</th><th data-sort>Passed</th><th data-sort>In progress</th><th data-sort>Not started</th><th data-sort>Past due</th><th data-sort>Other</th><th data-sort>Enrollments</th></tr></thead><tbody>"
    );
    for t in rows {
        status_row(out, kind, t);
    }
    out.push_str("</tbody></table>");
}

/// The share of each status per campaign as stacked bars; `None` without campaigns.
fn training_chart(campaigns: &[Training]) -> Option<String> {
    if campaigns.is_empty() {
        return None;
    }
    let share = |pick: fn(&StatusCounts) -> u64| -> Vec<f32> {
        campaigns
            .iter()
            .map(|t| {
                let total = t.counts.total().max(1) as f32;
                (pick(&t.counts) as f32 * 100.0 / total * 10.0).round() / 10.0
            })
            .collect()
    };
    let mut series: Vec<Series> = vec![
        ("Passed", share(|c| c.passed)).into(),
        ("In progress", share(|c| c.in_progress)).into(),
        ("Not started", share(|c| c.not_started)).into(),
        ("Past due", share(|c| c.past_due)).into(),
    ];
    for s in &mut series {
        s.stack = Some("share".into());
    }
    let names = campaigns.iter().map(|t| label(&t.name)).collect();
    let mut chart = BarChart::new(series, names);
    chart.title.text = "Enrollments by status, % per campaign".into();
    chart.width = 1000.0;
    chart.height = 360.0;
    chart.svg().ok()
}

fn risk_chart(history: &[(String, f64)]) -> Option<String> {
    if history.len() < 2 {
        return None;
    }
    let scores: Vec<f32> = history.iter().map(|(_, s)| *s as f32).collect();
    let dates: Vec<String> = history.iter().map(|(d, _)| label(d)).collect();
    let mut chart = LineChart::new(vec![("Risk score", scores).into()], dates);
    chart.title.text = "Account risk score".into();
    chart.width = 1000.0;
    chart.height = 300.0;
    chart.svg().ok()
}

/// The whole page.
pub fn render(figures: &Figures, snapshot: &SnapshotInfo) -> String {
    let f = figures;
    let mut out = String::with_capacity(64 * 1024 + f.past_due.len() * 256);
    let evidence = format!(
        "snapshot manifest SHA-256 {} · fetched {}",
        snapshot.manifest_sha256, snapshot.fetched_at
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>KnowBe4 report: {}</title>\n\
         <!-- Written by kb4graph {}. Charts drawn as SVG by charts-rs (Apache-2.0, \
         https://github.com/vicanso/charts-rs); no script or style is loaded from elsewhere. -->\n\
         <style>{STYLE}</style></head><body>",
        escape(&f.account),
        env!("CARGO_PKG_VERSION")
    );
    let _ = write!(
        out,
        "<header><h1>{}</h1><p class=evidence data-figure=\"evidence\">{}</p></header>",
        escape(&f.account),
        escape(&evidence)
    );
    out.push_str("<section id=glance><h2>At a glance</h2><div class=glance>");
    figure(
        &mut out,
        "usersActive",
        "active users",
        &f.users_active.to_string(),
    );
    figure(
        &mut out,
        "usersArchived",
        "archived users",
        &f.users_archived.to_string(),
    );
    figure(&mut out, "groups", "groups", &f.groups.to_string());
    let score = f
        .risk_score
        .map_or_else(|| "–".to_owned(), |s| s.to_string());
    figure(&mut out, "riskScore", "current risk score", &score);
    out.push_str("</div>");
    if let Some(svg) = risk_chart(&f.risk_history) {
        out.push_str(&svg);
    }
    out.push_str("</section>");

    out.push_str("<section id=training><h2>Training</h2>");
    if let Some(svg) = training_chart(&f.campaigns) {
        out.push_str(&svg);
    }
    out.push_str("<h3>Per campaign</h3>");
    status_table(&mut out, "campaign", "Campaign", &f.campaigns);
    out.push_str("<h3>Per module</h3>");
    status_table(&mut out, "module", "Module", &f.modules);
    let _ = write!(
        out,
        "<h3>Past due (<span data-shown=\"pastdue\" data-figure=\"pastDueTotal\">{}</span>)</h3>\
         <input type=search data-filter=\"pastdue\" placeholder=\"Filter by user, group, module or campaign\">\
         <table data-table id=pastdue><thead><tr><th data-sort>User</th><th data-sort>E-mail</th>\
         <th data-sort>Groups</th><th data-sort>Module</th><th data-sort>Campaign</th>\
         <th data-sort>Due</th></tr></thead><tbody>",
        f.past_due.len()
    );
    for p in &f.past_due {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&p.user),
            escape(&p.email),
            escape(&p.groups),
            escape(&p.module),
            escape(&p.campaign),
            escape(&p.due)
        );
    }
    out.push_str("</tbody></table></section>");

    out.push_str(
        "<section id=phishing><h2>Phishing</h2><table data-table id=tests><thead><tr>\
         <th data-sort>Test</th><th data-sort>Recipients</th><th data-sort>Delivered</th>\
         <th data-sort>Opened</th><th data-sort>Clicked</th><th data-sort>Data entered</th>\
         <th data-sort>Reported</th></tr></thead><tbody>",
    );
    for t in &f.phishing {
        let _ = write!(
            out,
            "<tr data-test=\"{}\"><td>{}</td>",
            escape(&t.key),
            escape(&t.name)
        );
        for (name, n) in [
            ("recipients", t.recipients),
            ("delivered", t.delivered),
            ("opened", t.opened),
            ("clicked", t.clicked),
            ("dataEntered", t.data_entered),
            ("reported", t.reported),
        ] {
            let _ = write!(out, "<td class=n data-figure=\"{name}\">{n}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></section>");
    let _ = writeln!(
        out,
        "<footer>{}</footer><script>{SCRIPT}</script></body></html>",
        escape(&evidence)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::escape;
    use proptest::prelude::*;

    proptest! {
        /// Whatever a name holds, it stays text: no markup character and no control character
        /// survives, and nothing is lost (entities and `\u{..}` read back to the original).
        #[test]
        fn any_string_stays_text(s in "\\PC*|[<>&\"'\u{0}-\u{1f}\u{7f}-\u{9f}a]{0,40}") {
            let e = escape(&s);
            prop_assert!(!e.contains(['<', '>', '"', '\'']));
            prop_assert!(!e.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
            let mut back = e
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'");
            for c in s.chars().filter(|c| c.is_control() && *c != '\n' && *c != '\t') {
                back = back.replacen(&format!("\\u{{{:x}}}", u32::from(c)), &c.to_string(), 1);
            }
            prop_assert_eq!(back.replace("&amp;", "&"), s);
        }
    }

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(
            escape("<a href='x'>&\"\u{7}</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\\u{7}&lt;/a&gt;"
        );
    }
}
