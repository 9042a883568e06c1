#include "phusong/io/map_render.hpp"

#include <cpl_minixml.h>
#include <cpl_vsi.h>
#include <gdal_alg.h>
#include <gdal_utils.h>
#include <gdalwarper.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "phusong/core/error.hpp"
#include "phusong/geo/gdal.hpp"
#include "xml.hpp"

namespace phusong::io {
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path.string(), "", "cannot read the file");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// "#rrggbb" → RGB; InputError otherwise.
Rgba parse_colour(const std::string& text, int alpha, const fs::path& qml) {
    if (text.size() != 7 || text[0] != '#') {
        throw InputError(qml.string(), "color=\"" + text + "\"", "expected a colour as #rrggbb");
    }
    const auto hex = [&](std::size_t i) {
        return static_cast<std::uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16));
    };
    return {hex(1), hex(3), hex(5), static_cast<std::uint8_t>(std::clamp(alpha, 0, 255))};
}

double parse_value(const char* text, const fs::path& qml) {
    char* end = nullptr;
    const double v = std::strtod(text, &end);
    if (end == text || *end != '\0') {
        throw InputError(qml.string(), std::string("value=\"") + text + "\"", "expected a number (or inf)");
    }
    return v;
}

/// Polygon and multipolygon rings as line strings (outlines); other geometries unchanged.
std::unique_ptr<OGRGeometry> rings_of(const OGRGeometry& g) {
    const auto type = wkbFlatten(g.getGeometryType());
    auto add_polygon = [](OGRMultiLineString& out, const OGRPolygon& p) {
        for (const OGRLinearRing* ring : p) out.addGeometry(ring);
    };
    if (type == wkbPolygon) {
        auto out = std::make_unique<OGRMultiLineString>();
        add_polygon(*out, *g.toPolygon());
        return out;
    }
    if (type == wkbMultiPolygon) {
        auto out = std::make_unique<OGRMultiLineString>();
        for (const OGRPolygon* p : *g.toMultiPolygon()) add_polygon(*out, *p);
        return out;
    }
    return std::unique_ptr<OGRGeometry>(g.clone());
}

/// The geometries of `layer`'s features passing `where` (OGR SQL, empty: all), with the text of
/// `field` when one is named. The layer's filter is cleared afterwards.
std::vector<std::unique_ptr<OGRGeometry>> read_geometries(OGRLayer& layer, const fs::path& vector,
                                                          const std::string& where = {},
                                                          const std::string& field = {},
                                                          std::vector<std::string>* texts = nullptr) {
    if (!where.empty()) {
        geo::GdalErrorCapture cap;
        if (layer.SetAttributeFilter(where.c_str()) != OGRERR_NONE) {
            throw GdalError("cannot filter " + vector.string() + " by " + where + ": " + cap.last_error());
        }
    }
    const int field_index = field.empty() ? -1 : layer.GetLayerDefn()->GetFieldIndex(field.c_str());
    std::vector<std::unique_ptr<OGRGeometry>> out;
    layer.ResetReading();
    for (auto& feature : layer) {
        const OGRGeometry* g = feature->GetGeometryRef();
        if (g == nullptr || g->IsEmpty()) continue;
        out.emplace_back(g->clone());
        if (texts != nullptr) {
            texts->emplace_back(field_index >= 0 && feature->IsFieldSetAndNotNull(field_index)
                                    ? feature->GetFieldAsString(field_index)
                                    : "");
        }
    }
    layer.SetAttributeFilter(nullptr);
    return out;
}

std::atomic<unsigned long> g_png_counter{0};

}  // namespace

std::optional<Rgba> RasterColours::colour(double value) const {
    if (std::isnan(value) || stops.empty()) return std::nullopt;
    const auto lower = std::lower_bound(stops.begin(), stops.end(), value,
                                        [](const ColourStop& s, double v) { return s.value < v; });
    const auto visible = [](const Rgba& c) { return c[3] == 0 ? std::nullopt : std::optional<Rgba>(c); };
    switch (mode) {
        case ColourMode::discrete:
            if (lower == stops.end()) return std::nullopt;
            return visible(lower->rgba);
        case ColourMode::exact:
            if (lower == stops.end() || std::abs(lower->value - value) > 1e-9) return std::nullopt;
            return visible(lower->rgba);
        case ColourMode::interpolated: {
            if (lower == stops.begin()) return visible(stops.front().rgba);
            if (lower == stops.end()) return visible(stops.back().rgba);
            const ColourStop& a = *(lower - 1);
            const ColourStop& b = *lower;
            const double t = b.value > a.value ? (value - a.value) / (b.value - a.value) : 1.0;
            Rgba c{};
            for (std::size_t i = 0; i < 4; ++i) {
                c[i] = static_cast<std::uint8_t>(std::lround(a.rgba[i] + t * (b.rgba[i] - a.rgba[i])));
            }
            return visible(c);
        }
    }
    return std::nullopt;
}

RasterColours read_raster_colours(const fs::path& qml) {
    XmlPtr root(CPLParseXMLString(read_text(qml).c_str()));
    CPLXMLNode* qgis = root ? top_element(root.get(), "qgis") : nullptr;
    if (qgis == nullptr) throw InputError(qml.string(), "", "not a QGIS style: no <qgis> element");
    const CPLXMLNode* renderer = CPLSearchXMLNode(qgis, "rasterrenderer");
    if (renderer == nullptr) throw InputError(qml.string(), "", "no <rasterrenderer>: not a raster style");
    const std::string type = CPLGetXMLValue(renderer, "type", "");
    RasterColours out;
    const char* item_name = nullptr;
    const CPLXMLNode* list = nullptr;
    if (type == "singlebandpseudocolor") {
        list = CPLSearchXMLNode(const_cast<CPLXMLNode*>(renderer), "colorrampshader");
        if (list == nullptr) throw InputError(qml.string(), "rasterrenderer", "pseudocolour renderer without <colorrampshader>");
        const std::string ramp = CPLGetXMLValue(list, "colorRampType", "INTERPOLATED");
        out.mode = ramp == "DISCRETE" ? ColourMode::discrete
                   : ramp == "EXACT"  ? ColourMode::exact
                                      : ColourMode::interpolated;
        item_name = "item";
    } else if (type == "paletted") {
        list = CPLGetXMLNode(renderer, "colorPalette");
        if (list == nullptr) throw InputError(qml.string(), "rasterrenderer", "paletted renderer without <colorPalette>");
        out.mode = ColourMode::exact;
        item_name = "paletteEntry";
    } else {
        throw InputError(qml.string(), "rasterrenderer type=\"" + type + "\"",
                         "expected a singlebandpseudocolor or paletted renderer");
    }
    for (const CPLXMLNode* n = list->psChild; n != nullptr; n = n->psNext) {
        if (n->eType != CXT_Element || std::string(n->pszValue) != item_name) continue;
        ColourStop s;
        s.value = parse_value(CPLGetXMLValue(n, "value", ""), qml);
        s.rgba = parse_colour(CPLGetXMLValue(n, "color", ""), std::atoi(CPLGetXMLValue(n, "alpha", "255")), qml);
        s.label = CPLGetXMLValue(n, "label", "");
        out.stops.push_back(std::move(s));
    }
    if (out.stops.empty()) throw InputError(qml.string(), "rasterrenderer", "the style has no colour classes");
    std::stable_sort(out.stops.begin(), out.stops.end(),
                     [](const ColourStop& a, const ColourStop& b) { return a.value < b.value; });
    return out;
}

struct VectorCache::Copy {
    geo::DatasetPtr dataset;
};

VectorCache::VectorCache() = default;
VectorCache::~VectorCache() = default;

OGRLayer& VectorCache::layer(const fs::path& vector, const std::string& crs_wkt) {
    auto& copy = m_copies[{vector, crs_wkt}];
    if (!copy) {
        geo::DatasetPtr src = geo::open_vector(vector, "map layer");
        std::vector<std::string> args = {"-f", "Memory"};
        if (!crs_wkt.empty()) {
            const OGRSpatialReference* from = src->GetLayer(0)->GetSpatialRef();
            OGRSpatialReference to;
            to.importFromWkt(crs_wkt.c_str());
            if (from != nullptr && !from->IsSame(&to)) args.insert(args.end(), {"-t_srs", crs_wkt});
        }
        args.emplace_back(src->GetLayer(0)->GetName());  // the first layer only
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        geo::GdalErrorCapture cap;
        GDALVectorTranslateOptions* options = GDALVectorTranslateOptionsNew(argv.data(), nullptr);
        GDALDatasetH handle = GDALDatasetH(src.get());
        geo::DatasetPtr mem(GDALDataset::FromHandle(GDALVectorTranslate("", nullptr, 1, &handle, options, nullptr)));
        GDALVectorTranslateOptionsFree(options);
        if (!mem || mem->GetLayerCount() < 1) {
            throw GdalError("cannot read " + vector.string() + " for a map: " + cap.last_error());
        }
        copy = std::make_unique<Copy>(Copy{std::move(mem)});
    }
    OGRLayer& layer = *copy->dataset->GetLayer(0);
    layer.SetAttributeFilter(nullptr);
    return layer;
}

MapCanvas::MapCanvas(const fs::path& frame_raster, int long_side_px, VectorCache* vectors)
    : m_own_vectors(vectors == nullptr ? std::make_unique<VectorCache>() : nullptr),
      m_vectors(vectors != nullptr ? vectors : m_own_vectors.get()) {
    if (long_side_px < 1) throw InternalError("MapCanvas: long side must be ≥ 1 px");
    geo::DatasetPtr ds = geo::open_raster(frame_raster, "map frame");
    const int cols = ds->GetRasterXSize();
    const int rows = ds->GetRasterYSize();
    const double k = static_cast<double>(long_side_px) / std::max(cols, rows);
    m_width = std::max(1, static_cast<int>(std::lround(cols * k)));
    m_height = std::max(1, static_cast<int>(std::lround(rows * k)));
    std::array<double, 6> gt{};
    ds->GetGeoTransform(gt.data());
    m_gt = {gt[0], gt[1] * cols / m_width, 0.0, gt[3], 0.0, gt[5] * rows / m_height};
    m_crs_wkt = ds->GetProjectionRef();
    m_rgb.assign(static_cast<std::size_t>(m_width) * m_height * 3, 255);
}

namespace {

/// `raster` band 1 resampled onto the canvas frame as doubles (NaN where no value).
std::vector<double> warp_to(const fs::path& raster, int width, int height, const std::array<double, 6>& gt,
                            const std::string& wkt, GDALResampleAlg alg) {
    geo::DatasetPtr src = geo::open_raster(raster, "map layer");
    geo::DatasetPtr dst = geo::create_mem_raster(width, height, 1, GDT_Float64);
    dst->SetGeoTransform(const_cast<double*>(gt.data()));
    dst->SetProjection(wkt.c_str());
    GDALRasterBand* band = dst->GetRasterBand(1);
    band->SetNoDataValue(std::numeric_limits<double>::quiet_NaN());
    band->Fill(std::numeric_limits<double>::quiet_NaN());
    geo::GdalErrorCapture cap;
    if (GDALReprojectImage(src.get(), nullptr, dst.get(), nullptr, alg, 0, 0.0, nullptr, nullptr, nullptr) !=
        CE_None) {
        throw GdalError("cannot resample " + raster.string() + " for a map: " + cap.last_error());
    }
    std::vector<double> values(static_cast<std::size_t>(width) * height);
    if (band->RasterIO(GF_Read, 0, 0, width, height, values.data(), width, height, GDT_Float64, 0, 0) != CE_None) {
        throw GdalError("cannot read the resampled " + raster.string());
    }
    return values;
}

}  // namespace

void MapCanvas::blend(std::size_t pixel, const Rgba& colour, double opacity) {
    const double a = std::clamp(opacity * colour[3] / 255.0, 0.0, 1.0);
    for (std::size_t i = 0; i < 3; ++i) {
        std::uint8_t& p = m_rgb[pixel * 3 + i];
        p = static_cast<std::uint8_t>(std::lround(a * colour[i] + (1.0 - a) * p));
    }
}

void MapCanvas::draw_hillshade(const fs::path& dem) {
    const std::vector<double> z = warp_to(dem, m_width, m_height, m_gt, m_crs_wkt, GRA_Average);
    const double dx_m = m_gt[1];
    const double dy_m = -m_gt[5];
    const double az = 315.0 * M_PI / 180.0;  // sun from the north-west, clockwise from north
    const double alt = 45.0 * M_PI / 180.0;
    const double light_e = std::sin(az) * std::cos(alt);
    const double light_n = std::cos(az) * std::cos(alt);
    const double light_up = std::sin(alt);
    const auto at = [&](int c, int r) {
        c = std::clamp(c, 0, m_width - 1);
        r = std::clamp(r, 0, m_height - 1);
        return z[static_cast<std::size_t>(r) * m_width + c];
    };
    for (int r = 0; r < m_height; ++r) {
        for (int c = 0; c < m_width; ++c) {
            const std::size_t i = static_cast<std::size_t>(r) * m_width + c;
            std::uint8_t grey = 255;
            if (!std::isnan(z[i])) {
                double gx = (at(c + 1, r) - at(c - 1, r)) / (2 * dx_m);
                double gy = (at(c, r - 1) - at(c, r + 1)) / (2 * dy_m);  // north-up: row − 1 is north
                if (std::isnan(gx)) gx = 0;
                if (std::isnan(gy)) gy = 0;
                // Lambert: the surface normal (−∂z/∂E, −∂z/∂N, 1) against the light direction.
                const double norm = std::sqrt(gx * gx + gy * gy + 1.0);
                const double shade = (-gx * light_e - gy * light_n + light_up) / norm;
                grey = static_cast<std::uint8_t>(std::lround(170.0 + 85.0 * std::clamp(shade, 0.0, 1.0)));
            }
            m_rgb[i * 3] = m_rgb[i * 3 + 1] = m_rgb[i * 3 + 2] = grey;
        }
    }
}

void MapCanvas::draw_raster(const fs::path& raster, const RasterColours& colours, double opacity,
                            bool categorical) {
    const std::vector<double> v =
        warp_to(raster, m_width, m_height, m_gt, m_crs_wkt, categorical ? GRA_Mode : GRA_Average);
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (const auto c = colours.colour(v[i])) blend(i, *c, opacity);
    }
}

std::vector<std::uint8_t> MapCanvas::rasterise(const fs::path& vector, bool boundaries, const std::string& where) const {
    std::vector<std::unique_ptr<OGRGeometry>> geoms = read_geometries(m_vectors->layer(vector, m_crs_wkt), vector, where);
    std::vector<OGRGeometryH> handles;
    std::vector<std::unique_ptr<OGRGeometry>> outlines;
    for (const auto& g : geoms) {
        if (boundaries) {
            outlines.push_back(rings_of(*g));
            handles.push_back(OGRGeometry::ToHandle(outlines.back().get()));
        } else {
            handles.push_back(OGRGeometry::ToHandle(g.get()));
        }
    }
    std::vector<std::uint8_t> mask(static_cast<std::size_t>(m_width) * m_height, 0);
    if (handles.empty()) return mask;
    geo::DatasetPtr mem = geo::create_mem_raster(m_width, m_height, 1, GDT_Byte);
    mem->SetGeoTransform(const_cast<double*>(m_gt.data()));
    mem->SetProjection(m_crs_wkt.c_str());
    const int band = 1;
    const std::vector<double> burn(handles.size(), 1.0);
    const char* options[] = {boundaries ? "ALL_TOUCHED=TRUE" : nullptr, nullptr};
    geo::GdalErrorCapture cap;
    if (GDALRasterizeGeometries(mem.get(), 1, &band, static_cast<int>(handles.size()), handles.data(), nullptr,
                                nullptr, burn.data(), const_cast<char**>(options), nullptr, nullptr) != CE_None ||
        mem->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, m_width, m_height, mask.data(), m_width, m_height,
                                        GDT_Byte, 0, 0) != CE_None) {
        throw GdalError("cannot rasterise " + vector.string() + " for a map: " + cap.last_error());
    }
    return mask;
}

void MapCanvas::draw_polygons(const fs::path& vector, std::optional<Rgba> fill, Rgba outline, int outline_px,
                              const std::string& where) {
    if (fill) {
        const std::vector<std::uint8_t> inside = rasterise(vector, false, where);
        for (std::size_t i = 0; i < inside.size(); ++i) {
            if (inside[i] != 0) blend(i, *fill, 1.0);
        }
    }
    if (outline_px <= 0) return;
    const std::vector<std::uint8_t> line = rasterise(vector, true, where);
    // Thicken the 1-pixel line to outline_px by a square dilation.
    const int lo = -(outline_px - 1) / 2;
    const int hi = outline_px / 2;
    std::vector<std::uint8_t> thick(line.size(), 0);
    for (int r = 0; r < m_height; ++r) {
        for (int c = 0; c < m_width; ++c) {
            if (line[static_cast<std::size_t>(r) * m_width + c] == 0) continue;
            for (int dr = lo; dr <= hi; ++dr) {
                for (int dc = lo; dc <= hi; ++dc) {
                    const int rr = r + dr;
                    const int cc = c + dc;
                    if (rr >= 0 && rr < m_height && cc >= 0 && cc < m_width) {
                        thick[static_cast<std::size_t>(rr) * m_width + cc] = 1;
                    }
                }
            }
        }
    }
    for (std::size_t i = 0; i < thick.size(); ++i) {
        if (thick[i] != 0) blend(i, outline, 1.0);
    }
}

void MapCanvas::draw_points(const fs::path& vector, Rgba fill, int radius_px) {
    const Rgba rim{32, 32, 32, 255};
    const auto disc = [&](double x, double y) {
        const double fc = (x - m_gt[0]) / m_gt[1];
        const double fr = (y - m_gt[3]) / m_gt[5];
        const double outer = radius_px + 1.0;
        for (int r = static_cast<int>(std::floor(fr - outer)); r <= static_cast<int>(std::ceil(fr + outer)); ++r) {
            for (int c = static_cast<int>(std::floor(fc - outer)); c <= static_cast<int>(std::ceil(fc + outer)); ++c) {
                if (r < 0 || r >= m_height || c < 0 || c >= m_width) continue;
                const double d = std::hypot(c + 0.5 - fc, r + 0.5 - fr);
                const std::size_t i = static_cast<std::size_t>(r) * m_width + c;
                if (d <= radius_px) {
                    blend(i, fill, 1.0);
                } else if (d <= outer) {
                    blend(i, rim, 1.0);
                }
            }
        }
    };
    for (const auto& g : read_geometries(m_vectors->layer(vector, m_crs_wkt), vector)) {
        const auto type = wkbFlatten(g->getGeometryType());
        if (type == wkbPoint) {
            disc(g->toPoint()->getX(), g->toPoint()->getY());
        } else if (type == wkbMultiPoint) {
            for (const OGRPoint* p : *g->toMultiPoint()) disc(p->getX(), p->getY());
        } else {
            OGRPoint centre;
            if (g->Centroid(&centre) == OGRERR_NONE) disc(centre.getX(), centre.getY());
        }
    }
}

std::vector<MapLabel> MapCanvas::locate(const fs::path& vector, const std::string& field,
                                        const std::string& where) const {
    std::vector<std::string> texts;
    const auto geoms = read_geometries(m_vectors->layer(vector, m_crs_wkt), vector, where, field, &texts);
    std::vector<MapLabel> out;
    for (std::size_t k = 0; k < geoms.size(); ++k) {
        const OGRGeometry& g = *geoms[k];
        OGRPoint p;
        if (wkbFlatten(g.getGeometryType()) == wkbPoint) {
            p = *g.toPoint();
        } else {
            std::unique_ptr<OGRGeometry> on(OGRGeometry::FromHandle(
                OGR_G_PointOnSurface(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&g)))));
            if (on && wkbFlatten(on->getGeometryType()) == wkbPoint) {
                p = *on->toPoint();
            } else if (g.Centroid(&p) != OGRERR_NONE) {
                continue;
            }
        }
        out.push_back({(p.getX() - m_gt[0]) / m_gt[1], (p.getY() - m_gt[3]) / m_gt[5], texts[k]});
    }
    return out;
}

std::vector<std::uint8_t> MapCanvas::png() const { return encode_png(m_rgb, m_width, m_height); }

std::vector<std::uint8_t> encode_png(const std::vector<std::uint8_t>& rgb, int width, int height) {
    // Up to 256 colours: one band of indices and a colour table, in the order colours first
    // appear (deterministic).
    std::vector<std::uint32_t> palette;
    std::vector<std::uint8_t> index(static_cast<std::size_t>(width) * height);
    {
        std::unordered_map<std::uint32_t, std::uint8_t> seen;
        for (std::size_t i = 0; i < index.size(); ++i) {
            const std::uint32_t key = (std::uint32_t{rgb[i * 3]} << 16) | (std::uint32_t{rgb[i * 3 + 1]} << 8) |
                                      rgb[i * 3 + 2];
            const auto [it, added] = seen.try_emplace(key, static_cast<std::uint8_t>(palette.size()));
            if (added) {
                if (palette.size() == 256) {
                    palette.clear();
                    break;
                }
                palette.push_back(key);
            }
            index[i] = it->second;
        }
    }
    const bool paletted = !palette.empty();
    geo::DatasetPtr mem = geo::create_mem_raster(width, height, paletted ? 1 : 3, GDT_Byte);
    if (paletted) {
        GDALColorTable table;
        for (std::size_t k = 0; k < palette.size(); ++k) {
            const GDALColorEntry e{static_cast<short>(palette[k] >> 16), static_cast<short>((palette[k] >> 8) & 0xff),
                                   static_cast<short>(palette[k] & 0xff), 255};
            table.SetColorEntry(static_cast<int>(k), &e);
        }
        GDALRasterBand* band = mem->GetRasterBand(1);
        if (band->SetColorTable(&table) != CE_None ||
            band->RasterIO(GF_Write, 0, 0, width, height, index.data(), width, height, GDT_Byte, 0, 0) !=
                CE_None) {
            throw GdalError("cannot fill the in-memory map image");
        }
    } else {
        int bands[] = {1, 2, 3};
        if (mem->RasterIO(GF_Write, 0, 0, width, height, const_cast<std::uint8_t*>(rgb.data()), width,
                          height, GDT_Byte, 3, bands, 3, static_cast<GSpacing>(width) * 3, 1, nullptr) != CE_None) {
            throw GdalError("cannot fill the in-memory map image");
        }
    }
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("PNG");
    if (driver == nullptr) throw GdalError("GDAL has no PNG driver");
    const std::string name = "/vsimem/phusong_map_" + std::to_string(g_png_counter++) + ".png";
    geo::GdalErrorCapture cap;
    geo::DatasetPtr out(driver->CreateCopy(name.c_str(), mem.get(), FALSE, nullptr, nullptr, nullptr));
    const bool ok = static_cast<bool>(out);
    out.reset();
    VSIUnlink((name + ".aux.xml").c_str());
    vsi_l_offset size = 0;
    GByte* data = ok ? VSIGetMemFileBuffer(name.c_str(), &size, TRUE) : nullptr;
    if (data == nullptr) {
        VSIUnlink(name.c_str());
        throw GdalError("cannot encode a map as PNG: " + cap.last_error());
    }
    std::vector<std::uint8_t> bytes(data, data + size);
    CPLFree(data);
    return bytes;
}

}  // namespace phusong::io
