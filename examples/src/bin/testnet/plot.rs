//! The finality latency plot (`--svg`): per finalized height, the p50, p90
//! and p99 over live processes of the time from the block's notarization
//! (the next height's start) to the process finalizing it. Plain SVG, no
//! dependency.

use std::fmt::Write;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 380.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 130.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 48.0;
/// Line colours of p50, p90, p99.
const SERIES: [(&str, &str); 3] = [("p50", "#1f77b4"), ("p90", "#ff7f0e"), ("p99", "#d62728")];

/// The smallest of 1, 2, 5 × 10^k that is at least `x / 5`: five or fewer
/// grid steps.
fn step(max: u64) -> u64 {
    let target = max.div_ceil(5).max(1);
    let mut base = 1;
    loop {
        for m in [1, 2, 5] {
            if base * m >= target {
                return base * m;
            }
        }
        base *= 10;
    }
}

/// The SVG document for `series`: (height, [p50, p90, p99] in ms).
pub fn finality(series: &[(u64, [u64; 3])]) -> String {
    let mut svg = String::new();
    let first = series.first().map_or(0, |s| s.0);
    let last = series.last().map_or(1, |s| s.0).max(first + 1);
    let top = series.iter().flat_map(|s| s.1).max().unwrap_or(1).max(1);
    let dy = step(top);
    let y_max = top.div_ceil(dy) * dy;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |h: u64| LEFT + (h - first) as f64 / (last - first) as f64 * plot_w;
    let y = |ms: u64| TOP + plot_h - ms as f64 / y_max as f64 * plot_h;
    // Writing to a String cannot fail.
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        svg,
        r#"<rect width="100%" height="100%" fill="white"/><text x="{LEFT}" y="20" font-size="14">Finality latency after notarization, per height (ms)</text>"#
    );
    let mut ms = 0;
    while ms <= y_max {
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{ms}</text>"##,
            LEFT + plot_w,
            y(ms),
            y(ms),
            LEFT - 6.0,
            y(ms) + 4.0
        );
        ms += dy;
    }
    let dx = step(last - first);
    let mut h = first.div_ceil(dx) * dx;
    while h <= last {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{h}</text>"#,
            x(h),
            TOP + plot_h + 18.0
        );
        h += dx;
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">height</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 8.0
    );
    for (i, (name, colour)) in SERIES.iter().enumerate() {
        let points: Vec<String> = series
            .iter()
            .filter_map(|(h, v)| v.get(i).map(|ms| format!("{:.1},{:.1}", x(*h), y(*ms))))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{}"/>"#,
            points.join(" ")
        );
        let ly = TOP + 16.0 + 18.0 * i as f64;
        let lx = LEFT + plot_w + 16.0;
        let _ = writeln!(
            svg,
            r#"<line x1="{lx:.1}" x2="{:.1}" y1="{ly:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="2"/><text x="{:.1}" y="{:.1}">{name}</text>"#,
            lx + 20.0,
            lx + 26.0,
            ly + 4.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn grid_steps_are_one_two_five() {
        assert_eq!(step(0), 1);
        assert_eq!(step(7), 2);
        assert_eq!(step(2_400), 500);
        assert_eq!(step(10_001), 5_000);
    }

    #[test]
    fn the_plot_has_one_line_per_percentile_through_every_height() {
        let series: Vec<(u64, [u64; 3])> = (1..=30).map(|h| (h, [900, 1_000, 1_100 + h])).collect();
        let svg = finality(&series);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<polyline").count(), 3);
        let first_line = svg.split("points=\"").nth(1).unwrap();
        let points = first_line.split('"').next().unwrap();
        assert_eq!(points.split(' ').count(), 30);
    }
}
