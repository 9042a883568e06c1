#pragma once
/// Static PNG maps drawn from phusong's own outputs (for the HTML report): rasters coloured by
/// the very .qml style QGIS uses, over a hillshade, with polygon outlines and points on top.
/// Encoded by GDAL's PNG driver; nothing here depends on a display or a font.

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class OGRLayer;

namespace phusong::io {

using Rgba = std::array<std::uint8_t, 4>;

/// How a style's stops map values to colours (QGIS colour-ramp shader types).
enum class ColourMode {
    discrete,      ///< a value takes the first stop whose value is ≥ it (QGIS DISCRETE)
    interpolated,  ///< linear between stops, clamped at the ends (QGIS INTERPOLATED)
    exact,         ///< only values equal to a stop are drawn (QGIS EXACT, paletted renderers)
};

/// One class, ramp stop or palette entry of a raster style.
struct ColourStop {
    double value = 0;  ///< upper bound (discrete), stop (interpolated) or the value (exact)
    Rgba rgba{0, 0, 0, 255};
    std::string label;
};

/// The colour table of a single-band raster style.
struct RasterColours {
    ColourMode mode = ColourMode::discrete;
    std::vector<ColourStop> stops;  ///< in the order of the .qml (ascending values)
    /// The colour of `value`; nullopt where the style draws nothing (NaN, past the last discrete
    /// class, no exact match).
    [[nodiscard]] std::optional<Rgba> colour(double value) const;
};

/// Reads the renderer of a raster .qml (singlebandpseudocolor or paletted). InputError naming the
/// file if it has neither.
[[nodiscard]] RasterColours read_raster_colours(const std::filesystem::path& qml);

/// A feature's position on a canvas (pixels from the top-left corner) and the text of one of its
/// fields, for labels and symbols drawn over the image (SVG in the report).
struct MapLabel {
    double x_px = 0;
    double y_px = 0;
    std::string text;
};

/// Vector files read once for the many maps and tables of a report: a file's first layer is
/// copied into memory (GDAL's Memory driver), reprojected to the CRS asked for, on its first use;
/// later reads and attribute filters run on the copy. A report draws the gaps of every view on its
/// own map, in each language: parsing an 18 MB gaps.geojson each time was most of its time.
/// One thread at a time.
class VectorCache {
public:
    VectorCache();
    ~VectorCache();
    VectorCache(const VectorCache&) = delete;
    VectorCache& operator=(const VectorCache&) = delete;
    /// The first layer of `vector` in the CRS `crs_wkt` (empty: as stored), its filter cleared.
    /// InputError if the file cannot be opened, GdalError if it cannot be reprojected.
    [[nodiscard]] OGRLayer& layer(const std::filesystem::path& vector, const std::string& crs_wkt = {});

private:
    struct Copy;
    std::map<std::pair<std::filesystem::path, std::string>, std::unique_ptr<Copy>> m_copies;
};

/// An RGB image over the extent of a reference raster, in that raster's CRS.
class MapCanvas {
public:
    /// A white canvas over `frame_raster`'s extent, scaled so that its longer side is
    /// `long_side_px` pixels (up or down), reading vector layers through `vectors` (none: a cache
    /// of its own). InputError if the raster cannot be opened.
    MapCanvas(const std::filesystem::path& frame_raster, int long_side_px, VectorCache* vectors = nullptr);

    [[nodiscard]] int width() const noexcept { return m_width; }
    [[nodiscard]] int height() const noexcept { return m_height; }
    /// Canvas geotransform (GDAL order), in the frame raster's CRS.
    [[nodiscard]] const std::array<double, 6>& geotransform() const noexcept { return m_gt; }

    /// Grey hillshade of a DEM (sun azimuth 315°, altitude 45°), replacing the canvas; nodata
    /// stays white.
    void draw_hillshade(const std::filesystem::path& dem);
    /// A single-band raster coloured by `colours`, blended at `opacity` (0…1). Downsampling
    /// averages physical values and takes the mode of classes (`categorical`). Rasters in another
    /// CRS are warped on the fly (nearest neighbour).
    void draw_raster(const std::filesystem::path& raster, const RasterColours& colours, double opacity,
                     bool categorical);
    /// Polygons of the vector file's first layer (any CRS): an optional fill, then the outline
    /// `outline_px` pixels wide. `where`: an OGR SQL attribute filter ("layer = 'LTE (all
    /// operators)'"), empty for every feature.
    void draw_polygons(const std::filesystem::path& vector, std::optional<Rgba> fill, Rgba outline,
                       int outline_px, const std::string& where = {});
    /// Where the features of the vector file's first layer (passing `where`) fall on the canvas:
    /// a point's own position, a polygon's point on surface (GEOS); with the text of `field`.
    [[nodiscard]] std::vector<MapLabel> locate(const std::filesystem::path& vector, const std::string& field,
                                               const std::string& where = {}) const;
    /// The canvas CRS (the frame raster's), WKT.
    [[nodiscard]] const std::string& crs_wkt() const noexcept { return m_crs_wkt; }
    /// Points of the vector file's first layer as discs of `radius_px` with a dark rim.
    void draw_points(const std::filesystem::path& vector, Rgba fill, int radius_px);

    /// The canvas as PNG bytes (GDAL PNG driver through /vsimem/): 8-bit paletted when it has at
    /// most 256 colours (flat class maps: a fraction of the RGB size), RGB otherwise. Deterministic.
    [[nodiscard]] std::vector<std::uint8_t> png() const;
    /// The canvas pixels, RGB, row-major.
    [[nodiscard]] const std::vector<std::uint8_t>& rgb() const noexcept { return m_rgb; }

private:
    void blend(std::size_t pixel, const Rgba& colour, double opacity);
    [[nodiscard]] std::vector<std::uint8_t> rasterise(const std::filesystem::path& vector, bool boundaries,
                                                      const std::string& where) const;

    int m_width = 0;
    int m_height = 0;
    std::array<double, 6> m_gt{};
    std::string m_crs_wkt;
    std::vector<std::uint8_t> m_rgb;
    std::unique_ptr<VectorCache> m_own_vectors;
    VectorCache* m_vectors = nullptr;
};

/// RGB pixels (row-major, 3 bytes each) as PNG bytes (GDAL PNG driver through /vsimem/).
[[nodiscard]] std::vector<std::uint8_t> encode_png(const std::vector<std::uint8_t>& rgb, int width, int height);

}  // namespace phusong::io
