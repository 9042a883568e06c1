// Gap polygons: connected uncovered, populated areas.
//
// The uncovered populated pixels (the gap mask) are labelled into 4-connected components here;
// people, pixels and admin unit come from the pixels themselves (exact), and only the components
// that pass the filters (gap_min_area_km2, gap_min_population) are polygonised (GDAL, 4-connected:
// every component gives exactly one polygon whose rings follow pixel edges, valid by construction,
// so no make-valid) and simplified (GEOS, topology preserving). The shapes depend only on the
// mask, so views with the same mask share them (computed once: a cache keyed by the mask).

#include <gdal_alg.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <mutex>

#include "phusong/analysis/analysis.hpp"
#include "phusong/core/error.hpp"
#include "phusong/geo/gdal.hpp"

namespace phusong::analysis {

/// One surviving component: its pixels as row-major runs, its statistics and outlines.
struct Accumulator::GapShapes {
    struct Shape {
        std::vector<std::pair<std::uint32_t, std::uint32_t>> runs;  ///< (first pixel, length)
        std::uint64_t pixels = 0;
        double people = 0;
        std::int64_t first = 0;
        std::optional<std::size_t> unit;
        OGREnvelope envelope;                     ///< of the exact outline
        std::unique_ptr<OGRGeometry> outline;     ///< exact (pixel edges); dropped once simplified
        std::unique_ptr<OGRGeometry> simplified;  ///< what the outputs get
    };
    std::vector<Shape> shapes;
};

struct Accumulator::GapCacheEntry {
    std::uint64_t hash = 0;
    std::vector<std::uint64_t> bits;  ///< the mask, one bit a pixel (the key)
    std::once_flag once;
    std::shared_ptr<const GapShapes> shapes;
};

namespace {

std::vector<std::uint64_t> pack(std::span<const std::uint8_t> mask) {
    std::vector<std::uint64_t> bits((mask.size() + 63) / 64, 0);
    for (std::size_t i = 0; i < mask.size(); ++i) {
        if (mask[i] != 0) bits[i / 64] |= std::uint64_t{1} << (i % 64);
    }
    return bits;
}

std::uint64_t fnv1a(std::span<const std::uint64_t> words) {
    std::uint64_t h = 1469598103934665603ULL;
    for (const std::uint64_t w : words) h = (h ^ w) * 1099511628211ULL;
    return h;
}

}  // namespace

std::shared_ptr<const Accumulator::GapShapes> Accumulator::gap_shapes(std::vector<std::uint8_t> mask,
                                                                      std::size_t count) const {
    std::vector<std::uint64_t> bits = pack(mask);
    const std::uint64_t hash = fnv1a(bits);
    std::shared_ptr<GapCacheEntry> entry;
    {
        std::lock_guard lock(m_gap_cache_mutex);
        for (const auto& e : m_gap_cache) {
            if (e->hash == hash && e->bits == bits) entry = e;  // the exact compare settles collisions
        }
        if (!entry) {
            entry = std::make_shared<GapCacheEntry>();
            entry->hash = hash;
            entry->bits = std::move(bits);
            m_gap_cache.push_back(entry);
        }
    }
    std::call_once(entry->once, [&] {
        auto out = std::make_shared<GapShapes>();
        if (count == 0) {
            entry->shapes = out;
            return;
        }
        const geo::Grid& grid = m_in.grid;
        const AnalysisConfig& cfg = m_in.config;
        const std::size_t n = grid.pixel_count();
        const auto cols = static_cast<std::size_t>(grid.cols);

        // 4-connected components (flood fill from each component's first pixel in row-major order).
        std::vector<std::int32_t> label(n, -1);
        struct Comp {
            std::uint64_t pixels = 0;
            double people = 0;
            std::int64_t first = 0;
        };
        std::vector<Comp> comps;
        std::vector<std::uint32_t> stack;
        for (std::size_t start = 0; start < n; ++start) {
            if (mask[start] == 0 || label[start] >= 0) continue;
            const auto id = static_cast<std::int32_t>(comps.size());
            Comp c;
            c.first = static_cast<std::int64_t>(start);
            label[start] = id;
            stack.push_back(static_cast<std::uint32_t>(start));
            while (!stack.empty()) {
                const std::size_t i = stack.back();
                stack.pop_back();
                c.pixels += 1;
                c.people += m_in.population[i];
                const std::size_t x = i % cols;
                const auto visit = [&](std::size_t j) {
                    if (mask[j] != 0 && label[j] < 0) {
                        label[j] = id;
                        stack.push_back(static_cast<std::uint32_t>(j));
                    }
                };
                if (x > 0) visit(i - 1);
                if (x + 1 < cols) visit(i + 1);
                if (i >= cols) visit(i - cols);
                if (i + cols < n) visit(i + cols);
            }
            comps.push_back(c);
        }

        // The filters, on exact pixel counts and people.
        const double min_area_m2 = cfg.gap_min_area_km2 * 1e6 - 0.5 * grid.pixel_area_m2();
        std::vector<std::int32_t> survivor(comps.size(), -1);
        for (std::size_t k = 0; k < comps.size(); ++k) {
            const Comp& c = comps[k];
            if (c.people < cfg.gap_min_population) continue;
            if (static_cast<double>(c.pixels) * grid.pixel_area_m2() < min_area_m2) continue;
            survivor[k] = static_cast<std::int32_t>(out->shapes.size());
            GapShapes::Shape s;
            s.pixels = c.pixels;
            s.people = c.people;
            s.first = c.first;
            out->shapes.push_back(std::move(s));
        }
        if (out->shapes.empty()) {
            entry->shapes = out;
            return;
        }

        // Runs and admin units of the survivors; the polygonisation raster (survivor index + 1).
        const std::size_t n_units = m_in.admin != nullptr ? m_in.admin->names.size() : 0;
        std::vector<std::vector<double>> unit_people(out->shapes.size());
        if (n_units > 0) {
            for (auto& u : unit_people) u.assign(n_units, 0.0);
        }
        std::vector<std::int32_t> values(n, 0);
        for (std::size_t i = 0; i < n; ++i) {
            if (label[i] < 0) continue;
            const std::int32_t s = survivor[static_cast<std::size_t>(label[i])];
            if (s < 0) continue;
            values[i] = s + 1;
            GapShapes::Shape& shape = out->shapes[static_cast<std::size_t>(s)];
            auto& runs = shape.runs;
            if (!runs.empty() && i % cols != 0 && runs.back().first + runs.back().second == i) {
                runs.back().second += 1;
            } else {
                runs.emplace_back(static_cast<std::uint32_t>(i), 1U);
            }
            if (n_units > 0) {
                const std::int32_t u = m_in.admin->unit_of_pixel[i];
                if (u >= 0) unit_people[static_cast<std::size_t>(s)][static_cast<std::size_t>(u)] += m_in.population[i];
            }
        }
        label.clear();
        label.shrink_to_fit();
        for (std::size_t s = 0; s < out->shapes.size() && n_units > 0; ++s) {
            // The unit holding most of the gap's people (ties: the lower index).
            std::optional<std::size_t> best;
            for (std::size_t u = 0; u < n_units; ++u) {
                if (unit_people[s][u] > 0 && (!best || unit_people[s][u] > unit_people[s][*best])) best = u;
            }
            out->shapes[s].unit = best;
        }

        geo::gdal_init();
        const OGRSpatialReference srs = geo::srs_from_epsg(grid.epsg);
        const auto gt = grid.geotransform();
        geo::DatasetPtr raster = geo::create_mem_raster(grid.cols, grid.rows, 1, GDT_Int32);
        raster->SetGeoTransform(const_cast<double*>(gt.data()));
        raster->SetSpatialRef(&srs);
        GDALRasterBand* band = raster->GetRasterBand(1);
        if (band->RasterIO(GF_Write, 0, 0, grid.cols, grid.rows, values.data(), grid.cols, grid.rows, GDT_Int32, 0,
                           0) != CE_None) {
            throw GdalError("cannot fill the in-memory gap raster");
        }
        values.clear();
        values.shrink_to_fit();
        GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("Memory");
        if (mem == nullptr) throw GdalError("GDAL has no Memory vector driver");
        geo::DatasetPtr vec(mem->Create("", 0, 0, 0, GDT_Unknown, nullptr));
        OGRLayer* layer = vec->CreateLayer("gaps", const_cast<OGRSpatialReference*>(&srs), wkbPolygon, nullptr);
        OGRFieldDefn field("v", OFTInteger);
        layer->CreateField(&field);
        // The band masks itself (zeros give no polygon); 4-connected, the components' own rule.
        geo::GdalErrorCapture cap;
        if (GDALPolygonize(band, band, layer, 0, nullptr, nullptr, nullptr) != CE_None) {
            throw GdalError("cannot polygonise the gaps: " + cap.last_error());
        }
        raster.reset();
        layer->ResetReading();
        for (auto& f : *layer) {
            const int v = f->GetFieldAsInteger(0);
            if (v < 1 || static_cast<std::size_t>(v) > out->shapes.size()) {
                throw InternalError("gap polygon with an unknown component");
            }
            GapShapes::Shape& shape = out->shapes[static_cast<std::size_t>(v - 1)];
            // One 4-connected component is one polygon: a second one would be a bug.
            if (shape.outline) throw InternalError("gap component polygonised into two polygons");
            shape.outline.reset(f->StealGeometry());
        }
        vec.reset();
        const double tolerance_m = cfg.gap_simplify_px * grid.resolution_m;
        for (GapShapes::Shape& shape : out->shapes) {
            if (!shape.outline) throw InternalError("gap component without a polygon");
            std::unique_ptr<OGRGeometry> simple(
                tolerance_m > 0 ? shape.outline->SimplifyPreserveTopology(tolerance_m) : nullptr);
            if (!simple || simple->IsEmpty()) simple.reset(shape.outline->clone());
            shape.outline->getEnvelope(&shape.envelope);
            shape.simplified = std::move(simple);
            shape.outline.reset();
        }
        entry->shapes = out;
    });
    return entry->shapes;
}

std::vector<Gap> Accumulator::gaps_of(std::size_t view, std::span<const std::uint8_t> classes,
                                      std::span<const float> signal, std::span<const std::uint8_t> causes) const {
    const std::size_t n = m_in.grid.pixel_count();
    std::vector<std::uint8_t> mask(n, 0);
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const float p = m_in.population[i];
        if (classes[i] == kNone && std::isfinite(p) && p > 0) {
            mask[i] = 1;
            ++count;
        }
    }
    if (count == 0) return {};
    const std::shared_ptr<const GapShapes> shapes = gap_shapes(std::move(mask), count);

    // The sites a gap's distance is measured to: the operator's, or everyone's for a union.
    const View& v = m_views[view];
    std::vector<const SitePoint*> sites;
    for (const SitePoint& s : m_in.sites) {
        if (v.kind == ViewKind::technology_union || s.operator_name == v.operator_name) sites.push_back(&s);
    }

    std::vector<Gap> out;
    for (const GapShapes::Shape& shape : shapes->shapes) {
        Gap g;
        g.view = view;
        g.pixels = shape.pixels;
        g.area_km2 = static_cast<double>(shape.pixels) * m_in.grid.pixel_area_m2() / 1e6;
        g.population = shape.people;
        g.first_pixel = shape.first;
        g.unit = shape.unit;
        double sum = 0;
        std::uint64_t sn = 0;
        double smax = -std::numeric_limits<double>::infinity();
        std::array<std::uint64_t, kCauses> cause_pixels{};
        for (const auto& [first, len] : shape.runs) {
            for (std::size_t i = first; i < first + static_cast<std::size_t>(len); ++i) {
                const std::uint8_t cause = std::min<std::uint8_t>(causes[i], kCauses - 1);
                g.cause_population[cause] += m_in.population[i];  // gap pixels are populated (finite)
                cause_pixels[cause] += 1;
                if (!std::isfinite(signal[i])) continue;
                sum += signal[i];
                sn += 1;
                smax = std::max(smax, static_cast<double>(signal[i]));
            }
        }
        for (std::uint8_t c = 1; c < kCauses; ++c) {
            const double best_people = g.cause_population[g.cause];
            if (g.cause_population[c] > best_people ||
                (g.cause_population[c] == best_people && cause_pixels[c] > cause_pixels[g.cause])) {
                g.cause = c;
            }
        }
        if (sn > 0) {
            g.mean_signal_dbm = sum / static_cast<double>(sn);
            g.max_signal_dbm = smax;
        }
        if (!sites.empty()) {
            // The gap is the union of its pixels' squares, so its distance to a site is the
            // least distance to one of its runs (rectangles); sites in order of their distance to
            // the envelope (a lower bound), exact only while one can still win.
            const OGREnvelope& e = shape.envelope;
            std::vector<std::pair<double, const SitePoint*>> order;
            order.reserve(sites.size());
            for (const SitePoint* s : sites) {
                const double dx = std::max({e.MinX - s->x_m, 0.0, s->x_m - e.MaxX});
                const double dy = std::max({e.MinY - s->y_m, 0.0, s->y_m - e.MaxY});
                order.emplace_back(std::hypot(dx, dy), s);
            }
            std::sort(order.begin(), order.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
            const geo::Grid& grid = m_in.grid;
            const auto cols = static_cast<std::uint32_t>(grid.cols);
            const double res = grid.resolution_m;
            double best = std::numeric_limits<double>::infinity();
            for (const auto& [bound, s] : order) {
                if (bound >= best) break;
                double d2 = best * best;
                for (const auto& [first, len] : shape.runs) {
                    const double x0 = grid.origin_x_m + (first % cols) * res;
                    const double x1 = x0 + len * res;
                    const double y1 = grid.origin_y_m - (first / cols) * res;
                    const double y0 = y1 - res;
                    const double dx = std::max({x0 - s->x_m, 0.0, s->x_m - x1});
                    const double dy = std::max({y0 - s->y_m, 0.0, s->y_m - y1});
                    d2 = std::min(d2, dx * dx + dy * dy);
                    if (d2 == 0) break;
                }
                best = std::min(best, std::sqrt(d2));
            }
            g.nearest_site_km = best / 1000.0;
        }
        g.geometry.reset(shape.simplified->clone());
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace phusong::analysis
