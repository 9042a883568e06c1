#include "phusong/io/chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bitmap_font.hpp"
#include "phusong/io/map_render.hpp"

namespace phusong::io {

namespace {

constexpr Rgb kInk{40, 40, 40};
constexpr Rgb kGrid{225, 225, 225};

std::string tick_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", std::abs(v) < 1e-9 ? 0.0 : v);
    return buf;
}

}  // namespace

Chart::Chart(int width, int height, const std::string& title, const std::string& x_label, const std::string& y_label,
             AxisRange x, AxisRange y)
    : m_w(width),
      m_h(height),
      m_left(70),
      m_right(width - 20),
      m_top(40),
      m_bottom(height - 50),
      m_x(x),
      m_y(y),
      m_rgb(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3, 255) {
    // Grid lines and ticks.
    for (double v = std::ceil(x.lo / x.tick) * x.tick; x.tick > 0 && v <= x.hi + 1e-9; v += x.tick) {
        const int p = px(v);
        rect(p, m_top, p, m_bottom, kGrid);
        rect(p, m_bottom, p, m_bottom + 4, kInk);
        const std::string t = tick_text(v);
        text(t, p - text_width(t, 1) / 2, m_bottom + 8, 1, kInk);
    }
    for (double v = std::ceil(y.lo / y.tick) * y.tick; v <= y.hi + 1e-9; v += y.tick) {
        const int p = py(v);
        rect(m_left, p, m_right, p, kGrid);
        rect(m_left - 4, p, m_left, p, kInk);
        const std::string t = tick_text(v);
        text(t, m_left - 8 - text_width(t, 1), p - kGlyphHeight / 2, 1, kInk);
    }
    // Frame, labels, title.
    rect(m_left, m_top, m_right, m_top, kInk);
    rect(m_left, m_bottom, m_right, m_bottom, kInk);
    rect(m_left, m_top, m_left, m_bottom, kInk);
    rect(m_right, m_top, m_right, m_bottom, kInk);
    text(title, (m_w - text_width(title, 2)) / 2, 12, 2, kInk);
    text(x_label, (m_left + m_right - text_width(x_label, 1)) / 2, m_bottom + 24, 1, kInk);
    // The y label, written vertically one character per line.
    const int y0 = (m_top + m_bottom) / 2 - static_cast<int>(y_label.size()) * (kGlyphHeight + 2) / 2;
    for (std::size_t i = 0; i < y_label.size(); ++i) {
        text(std::string(1, y_label[i]), 8, y0 + static_cast<int>(i) * (kGlyphHeight + 2), 1, kInk);
    }
}

int Chart::px(double x) const {
    return m_left + static_cast<int>(std::lround((x - m_x.lo) / (m_x.hi - m_x.lo) * (m_right - m_left)));
}

int Chart::py(double y) const {
    return m_bottom - static_cast<int>(std::lround((y - m_y.lo) / (m_y.hi - m_y.lo) * (m_bottom - m_top)));
}

void Chart::put(int x, int y, Rgb c) {
    if (x < 0 || y < 0 || x >= m_w || y >= m_h) return;
    const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(m_w) + static_cast<std::size_t>(x)) * 3;
    m_rgb[i] = c[0];
    m_rgb[i + 1] = c[1];
    m_rgb[i + 2] = c[2];
}

void Chart::rect(int x0, int y0, int x1, int y1, Rgb c) {
    for (int y = std::min(y0, y1); y <= std::max(y0, y1); ++y) {
        for (int x = std::min(x0, x1); x <= std::max(x0, x1); ++x) put(x, y, c);
    }
}

void Chart::text(const std::string& s, int x, int y, int scale, Rgb c) {
    draw_text(s, x, y, scale, [&](int px_, int py_) { put(px_, py_, c); });
}

void Chart::density(std::span<const double> xs, std::span<const double> ys, int cell_px) {
    const int cols = (m_right - m_left) / cell_px + 1;
    const int rows = (m_bottom - m_top) / cell_px + 1;
    std::vector<std::size_t> count(static_cast<std::size_t>(cols) * static_cast<std::size_t>(rows), 0);
    std::size_t most = 0;
    for (std::size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
        const int c = (px(xs[i]) - m_left) / cell_px;
        const int r = (py(ys[i]) - m_top) / cell_px;
        if (c < 0 || r < 0 || c >= cols || r >= rows || px(xs[i]) > m_right || py(ys[i]) > m_bottom) continue;
        most = std::max(most, ++count[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c)]);
    }
    if (most == 0) return;
    // Light yellow to dark blue (viridis ends), by log(count) / log(most).
    const Rgb light{253, 231, 37};
    const Rgb dark{68, 1, 84};
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c) {
            const std::size_t n = count[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c)];
            if (n == 0) continue;
            const double t = most > 1 ? std::log(static_cast<double>(n)) / std::log(static_cast<double>(most)) : 1.0;
            Rgb col;
            for (int k = 0; k < 3; ++k) col[k] = static_cast<std::uint8_t>(std::lround(light[k] + t * (dark[k] - light[k])));
            const int x0 = m_left + c * cell_px;
            const int y0 = m_top + r * cell_px;
            rect(std::max(x0, m_left + 1), std::max(y0, m_top + 1), std::min(x0 + cell_px - 1, m_right - 1),
                 std::min(y0 + cell_px - 1, m_bottom - 1), col);
        }
    }
}

void Chart::line(double x0, double y0, double x1, double y1, Rgb colour) {
    const int steps = 2 * std::max(std::abs(px(x1) - px(x0)), std::abs(py(y1) - py(y0))) + 1;
    for (int i = 0; i <= steps; ++i) {
        const double t = static_cast<double>(i) / steps;
        const int x = px(x0 + t * (x1 - x0));
        const int y = py(y0 + t * (y1 - y0));
        if (x < m_left || x > m_right || y < m_top || y > m_bottom) continue;
        put(x, y, colour);
        put(x, y + 1, colour);
    }
}

void Chart::point_with_bar(double x, double y, double e, Rgb colour, int dx_px) {
    const int cx = px(x) + dx_px;
    const int top = std::clamp(py(y + e), m_top, m_bottom);
    const int bottom = std::clamp(py(y - e), m_top, m_bottom);
    rect(cx, top, cx, bottom, colour);
    rect(cx - 3, top, cx + 3, top, colour);
    rect(cx - 3, bottom, cx + 3, bottom, colour);
    const int cy = py(y);
    if (cy >= m_top && cy <= m_bottom) rect(cx - 3, cy - 3, cx + 3, cy + 3, colour);
}

void Chart::legend(int line, const std::string& s, Rgb colour) {
    const int y = m_top + 8 + line * 14;
    rect(m_left + 8, y, m_left + 16, y + 8, colour);
    text(s, m_left + 22, y + 1, 1, kInk);
}

void Chart::x_label_at(double x, const std::string& s) { text(s, px(x) - text_width(s, 1) / 2, m_bottom + 8, 1, kInk); }

std::vector<std::uint8_t> Chart::png() const { return encode_png(m_rgb, m_w, m_h); }

}  // namespace phusong::io
