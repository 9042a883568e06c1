#pragma once
/// Small PNG charts (calibration plots): a frame with ticks and labels in the bitmap font, density
/// scatters, points with error bars and reference lines. Encoded by GDAL's PNG driver.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace phusong::io {

using Rgb = std::array<std::uint8_t, 3>;

struct AxisRange {
    double lo = 0;
    double hi = 1;
    double tick = 0.25;  ///< tick spacing, in axis units; 0: no ticks (categories, see x_label_at)
};

class Chart {
public:
    /// A white chart of width × height pixels with its frame, ticks, tick labels, axis labels and
    /// title (the bitmap font writes A–Z, 0–9 and % ( ) - . , / : =).
    Chart(int width, int height, const std::string& title, const std::string& x_label, const std::string& y_label,
          AxisRange x, AxisRange y);
    /// A 2-D histogram of the points, in cells of `cell_px` pixels, coloured from light to dark
    /// by the logarithm of the count (empty cells stay white).
    void density(std::span<const double> xs, std::span<const double> ys, int cell_px);
    /// A straight line between two points in axis units, clipped to the plot area.
    void line(double x0, double y0, double x1, double y1, Rgb colour);
    /// A point with a vertical bar from y − e to y + e (axis units), `dx_px` pixels aside.
    void point_with_bar(double x, double y, double e, Rgb colour, int dx_px);
    /// A legend entry (a square of the colour and its text) in the top-left corner, line `line`.
    void legend(int line, const std::string& text, Rgb colour);
    /// Text below the x axis at the x position (tick labels of categories).
    void x_label_at(double x, const std::string& text);

    [[nodiscard]] std::vector<std::uint8_t> png() const;

private:
    void put(int x, int y, Rgb c);
    void rect(int x0, int y0, int x1, int y1, Rgb c);
    void text(const std::string& s, int x, int y, int scale, Rgb c);
    [[nodiscard]] int px(double x) const;
    [[nodiscard]] int py(double y) const;

    int m_w, m_h;
    int m_left, m_right, m_top, m_bottom;  ///< plot area, pixels
    AxisRange m_x, m_y;
    std::vector<std::uint8_t> m_rgb;
};

}  // namespace phusong::io
