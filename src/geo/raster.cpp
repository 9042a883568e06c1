#include "phusong/geo/raster.hpp"

#include <gdal_alg.h>
#include <gdal_utils.h>
#include <spdlog/spdlog.h>
#include <ogr_geometry.h>

#include <algorithm>
#include <cmath>
#include <array>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>

#include "phusong/core/error.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/geo/gdal.hpp"

namespace phusong::geo {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// The most people a population pixel may hold per km² of its area. The densest large city
/// districts are about 100,000 people/km² (UN DESA, World Urbanization Prospects; Manila's densest
/// districts ~70,000), the densest measured neighbourhood (Dharavi, Mumbai) about 280,000; five
/// times the first keeps every real pixel, even a 100 m WorldPop one, while a raster in the wrong
/// unit or with a forgotten scale (×100, ×1000, 1e30 fill values) is refused.
constexpr double kMaxPeoplePerKm2 = 500'000.0;

DatasetPtr mem_on_grid(const Grid& grid, GDALDataType type, double nodata) {
    DatasetPtr ds = create_mem_raster(grid.cols, grid.rows, 1, type);
    auto gt = grid.geotransform();
    ds->SetGeoTransform(gt.data());
    OGRSpatialReference srs = srs_from_epsg(grid.epsg);
    ds->SetSpatialRef(&srs);
    GDALRasterBand* band = ds->GetRasterBand(1);
    band->SetNoDataValue(nodata);
    band->Fill(nodata);
    return ds;
}

void run_warp(GDALDataset* src, GDALDataset* dst, std::vector<std::string> args,
              const std::string& file) {
    args.insert(args.end(), {"-wo", "INIT_DEST=NO_DATA", "-q"});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::unique_ptr<GDALWarpAppOptions, decltype(&GDALWarpAppOptionsFree)> opts(
        GDALWarpAppOptionsNew(argv.data(), nullptr), &GDALWarpAppOptionsFree);
    // GDAL calls the progress function per chunk and per output row: Ctrl-C stops a long warp
    // (a huge source window) within a moment instead of after it.
    GDALWarpAppOptionsSetProgress(opts.get(), &interrupt_progress, nullptr);
    throw_if_interrupted();
    GdalErrorCapture cap;
    GDALDatasetH srcs[] = {GDALDataset::ToHandle(src)};
    int usage_error = 0;
    GDALDatasetH out = GDALWarp(nullptr, GDALDataset::ToHandle(dst), 1, srcs, opts.get(), &usage_error);
    if (out == nullptr) {
        throw_if_interrupted();  // stopped by interrupt_progress, not an input error
        throw InputError(file, "", "cannot warp onto the analysis grid: " + cap.last_error());
    }
}

/// Reads a window of an input raster as doubles; GDAL calls the progress function per block row, so
/// Ctrl-C stops the read of a huge window (throws Interrupted) instead of waiting for it.
CPLErr read_window(GDALRasterBand* band, int c0, int r0, int wc, int wr, double* out) {
    GDALRasterIOExtraArg extra;
    INIT_RASTERIO_EXTRA_ARG(extra);
    extra.pfnProgress = &interrupt_progress;
    const CPLErr err = band->RasterIO(GF_Read, c0, r0, wc, wr, out, wc, wr, GDT_Float64, 0, 0, &extra);
    throw_if_interrupted();
    return err;
}

const char* resampling_name(Resampling r) {
    switch (r) {
        case Resampling::nearest: return "near";
        case Resampling::bilinear: return "bilinear";
        case Resampling::mode: return "mode";
    }
    return "near";
}

std::vector<float> read_band(GDALDataset& ds, int cols, int rows) {
    std::vector<float> v(static_cast<std::size_t>(cols) * rows);
    if (ds.GetRasterBand(1)->RasterIO(GF_Read, 0, 0, cols, rows, v.data(), cols, rows,
                                      GDT_Float32, 0, 0) != CE_None) {
        throw GdalError("cannot read an in-memory raster");
    }
    return v;
}

/// Source pixel edge in metres near the middle of `win`, measured in the grid CRS.
double source_pixel_size_m(GDALDataset& src, const double* gt, int col, int row, const Grid& grid) {
    OGRSpatialReference dst_srs = srs_from_epsg(grid.epsg);
    OGRSpatialReference src_srs(*src.GetSpatialRef());
    src_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    TransformPtr t = make_transform(src_srs, dst_srs);
    double x[2] = {gt[0] + (col + 0.5) * gt[1], gt[0] + (col + 1.5) * gt[1]};
    double y[2] = {gt[3] + (row + 0.5) * gt[5], gt[3] + (row + 0.5) * gt[5]};
    if (!t->Transform(2, x, y)) return 0.0;
    return std::hypot(x[1] - x[0], y[1] - y[0]);
}

/// The band's scale and offset (GDAL metadata: value = raw × scale + offset), identity when the
/// file declares none. A scale of 0 would erase the data: refused.
struct BandScale {
    double scale = 1.0;
    double offset = 0.0;
    [[nodiscard]] bool identity() const { return scale == 1.0 && offset == 0.0; }
};

BandScale band_scale(GDALRasterBand& band, const std::string& file) {
    int has_scale = 0;
    int has_offset = 0;
    const double scale = band.GetScale(&has_scale);
    const double offset = band.GetOffset(&has_offset);
    BandScale out{has_scale != 0 ? scale : 1.0, has_offset != 0 ? offset : 0.0};
    if (!std::isfinite(out.scale) || out.scale == 0.0 || !std::isfinite(out.offset)) {
        throw InputError(file, "band 1 scale/offset",
                         "scale " + std::to_string(out.scale) + ", offset " + std::to_string(out.offset) +
                             " cannot be applied: fix the band's metadata (gdal_edit.py -scale/-offset)");
    }
    return out;
}

/// The window of the source raster that covers the grid (one source pixel of margin), in source
/// pixels, with its geotransform. Empty (wc or wr ≤ 0) when the raster does not reach the grid.
struct SourceWindow {
    int c0 = 0, r0 = 0, wc = 0, wr = 0;
    double gt[6] = {};
};

SourceWindow source_window(GDALDataset& src, const Grid& grid, const std::string& file) {
    double gt[6];
    src.GetGeoTransform(gt);
    OGRSpatialReference src_srs(*src.GetSpatialRef());
    src_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    TransformPtr to_src = make_transform(srs_from_epsg(grid.epsg), src_srs);
    const Bounds b = grid.bounds();
    double sx0 = 0, sy0 = 0, sx1 = 0, sy1 = 0;
    if (!to_src->TransformBounds(b.min_x, b.min_y, b.max_x, b.max_y, &sx0, &sy0, &sx1, &sy1, 21)) {
        throw InputError(file, "", "cannot transform the analysis grid into the raster's CRS");
    }
    SourceWindow w;
    w.c0 = std::max(0, static_cast<int>(std::floor((sx0 - gt[0]) / gt[1])) - 1);
    const int c1 = std::min(src.GetRasterXSize(), static_cast<int>(std::ceil((sx1 - gt[0]) / gt[1])) + 1);
    w.r0 = std::max(0, static_cast<int>(std::floor((sy1 - gt[3]) / gt[5])) - 1);
    const int r1 = std::min(src.GetRasterYSize(), static_cast<int>(std::ceil((sy0 - gt[3]) / gt[5])) + 1);
    w.wc = c1 - w.c0;
    w.wr = r1 - w.r0;
    const double window_gt[6] = {gt[0] + w.c0 * gt[1], gt[1], 0.0, gt[3] + w.r0 * gt[5], 0.0, gt[5]};
    std::copy(std::begin(window_gt), std::end(window_gt), std::begin(w.gt));
    return w;
}

/// Longitude and latitude (WGS 84) of the centre of window pixel (col, row).
std::array<double, 2> lon_lat_of(const OGRSpatialReference& src_srs, const double* window_gt, double col,
                                 double row) {
    double x = window_gt[0] + (col + 0.5) * window_gt[1];
    double y = window_gt[3] + (row + 0.5) * window_gt[5];
    TransformPtr t = make_transform(src_srs, srs_wgs84());
    if (!t->Transform(1, &x, &y)) return {kNaN, kNaN};
    return {x, y};
}

std::string fmt_lon_lat(const std::array<double, 2>& ll) {
    char text[64];
    std::snprintf(text, sizeof text, "lon %.5f, lat %.5f", ll[0], ll[1]);
    return text;
}

/// Warps `src` (band 1, `nodata` if any) onto the grid; NaN where there is no data.
std::vector<float> warp_dataset(GDALDataset& src, std::optional<double> nodata, const Grid& grid,
                                Resampling resampling, const std::string& file) {
    DatasetPtr dst = mem_on_grid(grid, GDT_Float32, std::numeric_limits<double>::quiet_NaN());
    std::vector<std::string> args = {"-r", resampling_name(resampling)};
    if (nodata) args.insert(args.end(), {"-srcnodata", std::isnan(*nodata) ? "nan" : std::to_string(*nodata)});
    args.insert(args.end(), {"-dstnodata", "nan"});
    run_warp(&src, dst.get(), args, file);
    return read_band(*dst, grid.cols, grid.rows);
}

void require_valid_pixel(const std::vector<float>& values, const std::string& file, const std::string& role) {
    if (std::none_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); })) {
        throw InputError(file, "",
                         role + " has no valid pixel over the analysis grid: it does not cover the "
                                "area of interest, or it is all nodata");
    }
}

/// Band 1 of an opened input raster warped onto the grid, its nodata honoured and its scale and
/// offset applied; InputError when no pixel over the grid has data.
std::vector<float> warp_band_to_grid(GDALDataset& src, const std::string& file, const std::string& role,
                                     const Grid& grid, Resampling resampling) {
    GDALRasterBand* band = src.GetRasterBand(1);
    const BandScale bs = band_scale(*band, file);
    int has_nodata = 0;
    const double nd = band->GetNoDataValue(&has_nodata);
    std::vector<float> values =
        warp_dataset(src, has_nodata != 0 ? std::optional(nd) : std::nullopt, grid, resampling, file);
    require_valid_pixel(values, file, role);
    // Nearest, bilinear and mode all commute with an affine map, so scaling after the warp is exact.
    if (!bs.identity()) {
        for (float& v : values) v = static_cast<float>(v * bs.scale + bs.offset);
    }
    return values;
}

}  // namespace

std::vector<float> warp_to_grid(const std::filesystem::path& path, const std::string& role,
                                const Grid& grid, Resampling resampling) {
    DatasetPtr src = open_raster(path, role);
    return warp_band_to_grid(*src, path.string(), role, grid, resampling);
}

DemOnGrid warp_dem_to_grid(const std::filesystem::path& path, const Grid& grid) {
    const std::string file = path.string();
    DatasetPtr src = open_raster(path, "DEM");
    GDALRasterBand* band = src->GetRasterBand(1);
    int has_nodata = 0;
    (void)band->GetNoDataValue(&has_nodata);
    if (has_nodata != 0) return {warp_band_to_grid(*src, file, "DEM", grid, Resampling::bilinear), 0, {}};

    // No nodata declared: look for the void conventions of common DEMs in the window that covers
    // the grid (SRTM/NASADEM int16 voids -32768, ESRI/ASCII grids -9999), and heights no land
    // surface has (above 9,000 m: Everest is 8,849 m; below -500 m: the Dead Sea shore, the
    // lowest, is about -430 m).
    const BandScale bs = band_scale(*band, file);
    const SourceWindow w = source_window(*src, grid, file);
    if (w.wc <= 0 || w.wr <= 0) require_valid_pixel({}, file, "DEM");
    std::vector<double> v(static_cast<std::size_t>(w.wc) * w.wr);
    if (band->RasterIO(GF_Read, w.c0, w.r0, w.wc, w.wr, v.data(), w.wc, w.wr, GDT_Float64, 0, 0) != CE_None) {
        throw InputError(file, "", "cannot read the DEM");
    }
    const bool int16 = band->GetRasterDataType() == GDT_Int16;
    DemOnGrid out;
    int min_c = w.wc, max_c = -1, min_r = w.wr, max_r = -1;
    std::optional<std::array<int, 2>> first;
    for (int r = 0; r < w.wr; ++r) {
        for (int c = 0; c < w.wc; ++c) {
            double& raw = v[static_cast<std::size_t>(r) * w.wc + c];
            const double h = raw * bs.scale + bs.offset;
            const bool is_void = !std::isfinite(raw) || (int16 && raw == -32768.0) || raw == -9999.0 ||
                                 h == -9999.0 || h > 9000.0 || h < -500.0;
            raw = is_void ? std::numeric_limits<double>::quiet_NaN() : h;
            if (!is_void) continue;
            ++out.voids;
            if (!first) first = std::array{c, r};
            min_c = std::min(min_c, c);
            max_c = std::max(max_c, c);
            min_r = std::min(min_r, r);
            max_r = std::max(max_r, r);
        }
    }
    if (out.voids == 0) {
        out.height_m = warp_band_to_grid(*src, file, "DEM", grid, Resampling::bilinear);
        return out;
    }
    OGRSpatialReference src_srs(*src->GetSpatialRef());
    src_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const auto lo = lon_lat_of(src_srs, w.gt, min_c - 0.5, max_r + 0.5);
    const auto hi = lon_lat_of(src_srs, w.gt, max_c + 0.5, min_r - 0.5);
    char box[160];
    std::snprintf(box, sizeof box, "lon %.5f…%.5f, lat %.5f…%.5f", std::min(lo[0], hi[0]), std::max(lo[0], hi[0]),
                  std::min(lo[1], hi[1]), std::max(lo[1], hi[1]));
    out.voids_where = "first at " + fmt_lon_lat(lon_lat_of(src_srs, w.gt, (*first)[0], (*first)[1])) +
                      " (pixel col " + std::to_string(w.c0 + (*first)[0]) + ", row " +
                      std::to_string(w.r0 + (*first)[1]) + "), all within " + box;
    DatasetPtr mem = create_mem_raster(w.wc, w.wr, 1, GDT_Float32);
    mem->SetGeoTransform(const_cast<double*>(w.gt));
    mem->SetSpatialRef(&src_srs);
    GDALRasterBand* mb = mem->GetRasterBand(1);
    mb->SetNoDataValue(std::numeric_limits<double>::quiet_NaN());
    if (mb->RasterIO(GF_Write, 0, 0, w.wc, w.wr, v.data(), w.wc, w.wr, GDT_Float64, 0, 0) != CE_None) {
        throw GdalError("cannot fill the in-memory DEM window");
    }
    out.height_m = warp_dataset(*mem, std::numeric_limits<double>::quiet_NaN(), grid, Resampling::bilinear, file);
    require_valid_pixel(out.height_m, file, "DEM");
    return out;
}

std::vector<float> clutter_loss_on_grid(const std::filesystem::path& path, const std::map<int, ClutterClass>& classes,
                                        const Grid& grid) {
    const std::vector<float> codes = warp_to_grid(path, "clutter", grid, Resampling::mode);
    std::vector<float> loss(codes.size(), 0.0f);
    std::map<long, std::size_t> unknown;
    for (std::size_t i = 0; i < codes.size(); ++i) {
        if (!std::isfinite(codes[i])) continue;
        const long code = std::lround(codes[i]);
        const auto it = classes.find(static_cast<int>(code));
        if (it != classes.end()) {
            loss[i] = static_cast<float>(it->second.loss_db);
        } else {
            ++unknown[code];
        }
    }
    if (!unknown.empty()) {
        std::string list;
        for (const auto& [code, n] : unknown) list += (list.empty() ? "" : ", ") + std::to_string(code) + " (" + std::to_string(n) + " pixels)";
        spdlog::warn("{}: clutter code(s) without a [clutter.<code>] entry in the scenario, counted with 0 dB loss: {}",
                     path.string(), list);
    }
    return loss;
}

PopulationOnGrid resample_population(const std::filesystem::path& path, const Grid& grid) {
    const std::string file = path.string();
    DatasetPtr src = open_raster(path, "population");
    double gt[6];
    src->GetGeoTransform(gt);
    GDALRasterBand* band = src->GetRasterBand(1);
    int has_nodata = 0;
    const double nodata = band->GetNoDataValue(&has_nodata);
    const BandScale bs = band_scale(*band, file);
    if (bs.offset != 0.0) {
        throw InputError(file, "band 1 offset",
                         "offset " + std::to_string(bs.offset) +
                             ": a count of people per pixel cannot have an offset (it would add people to "
                             "every pixel); remove it (gdal_edit.py -offset 0) or convert the raster to counts");
    }

    OGRSpatialReference src_srs(*src->GetSpatialRef());
    src_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const SourceWindow w = source_window(*src, grid, file);
    if (w.wc <= 0 || w.wr <= 0) {
        throw InputError(file, "", "the population raster does not cover the area of interest");
    }
    const int c0 = w.c0;
    const int r0 = w.r0;
    const int wc = w.wc;
    const int wr = w.wr;
    std::vector<double> pop(static_cast<std::size_t>(wc) * wr);
    if (read_window(band, c0, r0, wc, wr, pop.data()) != CE_None) {
        throw InputError(file, "", "cannot read the population raster");
    }
    // Every value that is not nodata must be a plausible count of people: finite, ≥ 0 and at most
    // kMaxPeoplePerKm2 over the pixel's area. After this loop `pop` holds people (the band's scale
    // applied) and NaN where the source has nodata.
    TransformPtr to_grid = make_transform(src_srs, srs_from_epsg(grid.epsg));
    for (int r = 0; r < wr; ++r) {
        double area_km2 = -1.0;  // of this row's pixels, computed on first need
        for (int c = 0; c < wc; ++c) {
            double& v = pop[static_cast<std::size_t>(r) * wc + c];
            if (has_nodata != 0 && (v == nodata || (std::isnan(nodata) && std::isnan(v)))) {
                v = std::numeric_limits<double>::quiet_NaN();
                continue;
            }
            const double raw = v;
            v = raw * bs.scale;
            if (std::isfinite(v) && v == 0.0) continue;
            const auto where = [&] {
                return "pixel col " + std::to_string(c0 + c) + ", row " + std::to_string(r0 + r) + " (" +
                       fmt_lon_lat(lon_lat_of(src_srs, w.gt, c, r)) + ")";
            };
            if (!std::isfinite(v)) {
                throw InputError(file, where(),
                                 "value " + std::to_string(raw) +
                                     " is not a finite number and not the declared nodata: declare it as "
                                     "nodata (gdal_edit.py -a_nodata) or fix the raster");
            }
            if (v < 0.0) {
                throw InputError(file, where(),
                                 "negative population count " + std::to_string(v) +
                                     ": the raster must hold people per pixel (≥ 0)");
            }
            if (area_km2 < 0.0) {
                double x[4] = {w.gt[0], w.gt[0] + w.gt[1], w.gt[0] + w.gt[1], w.gt[0]};
                double y[4];
                const double top = w.gt[3] + r * w.gt[5];
                y[0] = y[1] = top;
                y[2] = y[3] = top + w.gt[5];
                for (double& xi : x) xi += (wc / 2) * w.gt[1];
                area_km2 = to_grid->Transform(4, x, y)
                               ? 0.5 * std::abs((x[0] - x[2]) * (y[1] - y[3]) - (x[1] - x[3]) * (y[0] - y[2])) / 1e6
                               : 0.0;
            }
            if (area_km2 > 0.0 && v / area_km2 > kMaxPeoplePerKm2) {
                char text[200];
                std::snprintf(text, sizeof text, "%.6g people on a pixel of %.4g km², %.3g per km²", v, area_km2,
                              v / area_km2);
                throw InputError(file, where(),
                                 std::string(text) +
                                     ": above the plausible 500,000 people/km² (five times the densest city "
                                     "districts); the raster must hold people per pixel: check its unit and "
                                     "its scale metadata (gdalinfo)");
            }
        }
    }
    auto valid = [](double v) { return std::isfinite(v); };

    PopulationOnGrid out;
    // The geotransform of the source window: both branches build in-memory rasters on it.
    const double* window_gt = w.gt;
    const double src_px_m = source_pixel_size_m(*src, gt, c0 + wc / 2, r0 + wr / 2, grid);
    if (src_px_m < 2.0 * grid.resolution_m) {
        // Grid pixels are not much smaller than source pixels: let GDAL sum the overlap.
        DatasetPtr dst = mem_on_grid(grid, GDT_Float32, std::numeric_limits<double>::quiet_NaN());
        std::vector<std::string> args = {"-r", "sum", "-dstnodata", "nan"};
        if (has_nodata != 0) args.insert(args.end(), {"-srcnodata", std::to_string(nodata)});
        run_warp(src.get(), dst.get(), args, file);
        out.people = read_band(*dst, grid.cols, grid.rows);
        // GDAL's sum reads the raw band: the scale is applied here (a sum commutes with it).
        if (bs.scale != 1.0) {
            for (float& p : out.people) p = static_cast<float>(p * bs.scale);
        }
        out.method = "gdal-sum";
        // GDAL's sum gives neighbouring valid pixels a floating-point sliver of weight in grid
        // pixels that only cover nodata; the valid-area fraction (a 0/1 raster, averaged) tells
        // them apart, so nodata stays nodata instead of ~0 people.
        DatasetPtr valid_src = create_mem_raster(wc, wr, 1, GDT_Byte);
        valid_src->SetGeoTransform(const_cast<double*>(window_gt));
        valid_src->SetSpatialRef(&src_srs);
        std::vector<std::uint8_t> flags(pop.size());
        for (std::size_t i = 0; i < pop.size(); ++i) flags[i] = valid(pop[i]) ? 1 : 0;
        if (valid_src->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, wc, wr, flags.data(), wc, wr,
                                                  GDT_Byte, 0, 0) != CE_None) {
            throw GdalError("cannot fill the in-memory validity raster");
        }
        DatasetPtr fraction = mem_on_grid(grid, GDT_Float32, std::numeric_limits<double>::quiet_NaN());
        run_warp(valid_src.get(), fraction.get(), {"-r", "average", "-dstnodata", "nan"}, file);
        const std::vector<float> frac = read_band(*fraction, grid.cols, grid.rows);
        for (std::size_t i = 0; i < out.people.size(); ++i) {
            if (!(frac[i] > 1e-6f)) out.people[i] = kNaN;
            if (std::isfinite(out.people[i])) out.source_sum += out.people[i];
        }
        require_valid_pixel(out.people, file, "population");
        return out;
    }

    // Index raster of the source window: value = position in `pop`, -1 where nodata.
    DatasetPtr idx = create_mem_raster(wc, wr, 1, GDT_Int32);
    idx->SetGeoTransform(const_cast<double*>(window_gt));
    idx->SetSpatialRef(&src_srs);
    std::vector<int32_t> ids(pop.size());
    for (std::size_t i = 0; i < pop.size(); ++i) ids[i] = valid(pop[i]) ? static_cast<int32_t>(i) : -1;
    GDALRasterBand* ib = idx->GetRasterBand(1);
    ib->SetNoDataValue(-1);
    if (ib->RasterIO(GF_Write, 0, 0, wc, wr, ids.data(), wc, wr, GDT_Int32, 0, 0) != CE_None) {
        throw GdalError("cannot fill the in-memory index raster");
    }
    DatasetPtr dst = mem_on_grid(grid, GDT_Int32, -1);
    run_warp(idx.get(), dst.get(), {"-r", "near", "-srcnodata", "-1", "-dstnodata", "-1"}, file);
    std::vector<int32_t> on_grid(grid.pixel_count());
    if (dst->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, grid.cols, grid.rows, on_grid.data(),
                                        grid.cols, grid.rows, GDT_Int32, 0, 0) != CE_None) {
        throw GdalError("cannot read the warped index raster");
    }
    std::vector<int32_t> count(pop.size(), 0);
    for (int32_t id : on_grid) {
        if (id >= 0) ++count[static_cast<std::size_t>(id)];
    }
    out.people.assign(grid.pixel_count(), kNaN);
    for (std::size_t i = 0; i < on_grid.size(); ++i) {
        const int32_t id = on_grid[i];
        if (id >= 0) out.people[i] = static_cast<float>(pop[id] / count[id]);
    }
    for (std::size_t i = 0; i < pop.size(); ++i) {
        if (count[i] > 0) out.source_sum += pop[i];
    }
    out.method = "index-redistribution";
    require_valid_pixel(out.people, file, "population");
    return out;
}

std::vector<std::uint8_t> rasterize_mask(const Grid& grid, const OGRGeometry& geometry_grid_crs) {
    DatasetPtr ds = mem_on_grid(grid, GDT_Byte, 0);
    ds->GetRasterBand(1)->DeleteNoDataValue();
    int band = 1;
    double burn = 1.0;
    OGRGeometryH geom = OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&geometry_grid_crs));
    GdalErrorCapture cap;
    if (GDALRasterizeGeometries(GDALDataset::ToHandle(ds.get()), 1, &band, 1, &geom, nullptr,
                                nullptr, &burn, nullptr, nullptr, nullptr) != CE_None) {
        throw GdalError("cannot rasterise a polygon onto the grid: " + cap.last_error());
    }
    std::vector<std::uint8_t> mask(grid.pixel_count());
    if (ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, grid.cols, grid.rows, mask.data(), grid.cols,
                                       grid.rows, GDT_Byte, 0, 0) != CE_None) {
        throw GdalError("cannot read the rasterised mask");
    }
    return mask;
}

double area_weighted_sum(const std::filesystem::path& raster_path, const OGRGeometry& polygon) {
    DatasetPtr src = open_raster(raster_path, "raster");
    double gt[6];
    src->GetGeoTransform(gt);
    OGREnvelope env;
    polygon.getEnvelope(&env);
    const int c0 = std::max(0, static_cast<int>(std::floor((env.MinX - gt[0]) / gt[1])));
    const int c1 = std::min(src->GetRasterXSize(), static_cast<int>(std::ceil((env.MaxX - gt[0]) / gt[1])));
    const int r0 = std::max(0, static_cast<int>(std::floor((env.MaxY - gt[3]) / gt[5])));
    const int r1 = std::min(src->GetRasterYSize(), static_cast<int>(std::ceil((env.MinY - gt[3]) / gt[5])));
    if (c1 <= c0 || r1 <= r0) return 0.0;
    const int wc = c1 - c0;
    const int wr = r1 - r0;
    std::vector<double> v(static_cast<std::size_t>(wc) * wr);
    GDALRasterBand* band = src->GetRasterBand(1);
    if (read_window(band, c0, r0, wc, wr, v.data()) != CE_None) {
        throw InputError(raster_path.string(), "", "cannot read the raster");
    }
    int has_nodata = 0;
    const double nodata = band->GetNoDataValue(&has_nodata);
    const BandScale bs = band_scale(*band, raster_path.string());
    std::unique_ptr<OGRPreparedGeometry, decltype(&OGRDestroyPreparedGeometry)> prepared(
        OGRCreatePreparedGeometry(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&polygon))),
        &OGRDestroyPreparedGeometry);
    double sum = 0.0;
    for (int r = 0; r < wr; ++r) {
        for (int c = 0; c < wc; ++c) {
            const double raw = v[static_cast<std::size_t>(r) * wc + c];
            if (!std::isfinite(raw) || (has_nodata != 0 && raw == nodata)) continue;
            const double value = raw * bs.scale + bs.offset;
            const double x0 = gt[0] + (c0 + c) * gt[1];
            const double y0 = gt[3] + (r0 + r) * gt[5];
            OGRLinearRing ring;
            ring.addPoint(x0, y0);
            ring.addPoint(x0 + gt[1], y0);
            ring.addPoint(x0 + gt[1], y0 + gt[5]);
            ring.addPoint(x0, y0 + gt[5]);
            ring.closeRings();
            OGRPolygon cell;
            cell.addRing(&ring);
            OGRGeometryH ch = OGRGeometry::ToHandle(&cell);
            if (!OGRPreparedGeometryIntersects(prepared.get(), ch)) continue;
            if (OGRPreparedGeometryContains(prepared.get(), ch)) {
                sum += value;
                continue;
            }
            std::unique_ptr<OGRGeometry> inter(polygon.Intersection(&cell));
            if (!inter) continue;
            const double a = OGR_G_Area(OGRGeometry::ToHandle(inter.get()));
            sum += value * a / std::abs(gt[1] * gt[5]);
        }
    }
    return sum;
}

}  // namespace phusong::geo
