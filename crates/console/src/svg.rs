//! Charts drawn on the server as SVG: no script, nothing for the Content-Security-Policy to
//! allow, and the page prints as it looks.

/// Escapes text for SVG (XML) content and attributes.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A bar chart of `points` (label, value), left to right, with the largest value marked on the
/// axis; every `label_every`-th label is written under its bar. `title` is read out by screen
/// readers.
pub(crate) fn bars(title: &str, points: &[(String, u64)], label_every: usize) -> String {
    const W: f64 = 720.0;
    const H: f64 = 180.0;
    const LEFT: f64 = 44.0;
    const BOTTOM: f64 = 24.0;
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let n = points.len().max(1) as f64;
    let slot = (W - LEFT) / n;
    let mut out = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title>{t}</title>\
         <line x1=\"{LEFT}\" y1=\"{y0}\" x2=\"{W}\" y2=\"{y0}\" stroke=\"#9aa5b1\"/>\
         <text x=\"{lx}\" y=\"12\" text-anchor=\"end\" font-size=\"11\" fill=\"#52606d\">{max}</text>\
         <text x=\"{lx}\" y=\"{y0}\" text-anchor=\"end\" font-size=\"11\" fill=\"#52606d\">0</text>",
        t = escape(title),
        y0 = H - BOTTOM,
        lx = LEFT - 6.0,
    );
    for (i, (label, value)) in points.iter().enumerate() {
        let h = (H - BOTTOM - 8.0) * (*value as f64) / (max as f64);
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let y = H - BOTTOM - h;
        out.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"#2f6fde\"><title>{l}: {value}</title></rect>",
            w = slot * 0.7,
            l = escape(label),
        ));
        if label_every > 0 && i % label_every == 0 {
            // Kept inside the frame: the last label would otherwise run past the right edge.
            out.push_str(&format!(
                "<text x=\"{tx:.1}\" y=\"{ty}\" font-size=\"10\" fill=\"#52606d\">{l}</text>",
                tx = x.min(W - 30.0),
                ty = H - 8.0,
                l = escape(label),
            ));
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let svg = bars("a<b", &[("x".into(), 5), ("<y>".into(), 10)], 1);
        assert!(svg.contains("<title>a&lt;b</title>"));
        assert!(svg.contains("&lt;y&gt;: 10"));
        assert!(svg.contains(">10</text>"), "the axis shows the largest value");
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(!bars("empty", &[], 1).contains("<rect"));
    }
}
