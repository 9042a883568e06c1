#include "phusong/geo/raster.hpp"

#include <gdal_alg.h>
#include <gdal_utils.h>
#include <ogr_geometry.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "phusong/core/error.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/geo/gdal.hpp"

namespace phusong::geo {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

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

/// A raster that is all nodata over the grid is not an input: say so instead of running on it.
void require_valid_pixel(const std::vector<float>& values, const std::string& file) {
    if (std::none_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); })) {
        throw InputError(file, "",
                         "population has no valid pixel over the analysis grid: it does not cover "
                         "the area of interest, or it is all nodata");
    }
}

}  // namespace

std::vector<float> warp_to_grid(const std::filesystem::path& path, const std::string& role,
                                const Grid& grid, Resampling resampling) {
    DatasetPtr src = open_raster(path, role);
    DatasetPtr dst = mem_on_grid(grid, GDT_Float32, std::numeric_limits<double>::quiet_NaN());
    std::vector<std::string> args = {"-r", resampling_name(resampling)};
    int has_nodata = 0;
    const double nd = src->GetRasterBand(1)->GetNoDataValue(&has_nodata);
    if (has_nodata != 0) args.insert(args.end(), {"-srcnodata", std::to_string(nd)});
    args.insert(args.end(), {"-dstnodata", "nan"});
    run_warp(src.get(), dst.get(), args, path.string());
    std::vector<float> values = read_band(*dst, grid.cols, grid.rows);
    if (std::none_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); })) {
        throw InputError(path.string(), "",
                         role + " has no valid pixel over the analysis grid: it does not cover the "
                                "area of interest, or it is all nodata");
    }
    return values;
}

PopulationOnGrid resample_population(const std::filesystem::path& path, const Grid& grid) {
    const std::string file = path.string();
    DatasetPtr src = open_raster(path, "population");
    double gt[6];
    src->GetGeoTransform(gt);
    GDALRasterBand* band = src->GetRasterBand(1);
    int has_nodata = 0;
    const double nodata = band->GetNoDataValue(&has_nodata);

    // The grid's bounds in the source CRS give the source window to read.
    OGRSpatialReference src_srs(*src->GetSpatialRef());
    src_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    TransformPtr to_src = make_transform(srs_from_epsg(grid.epsg), src_srs);
    const Bounds b = grid.bounds();
    double sx0 = 0, sy0 = 0, sx1 = 0, sy1 = 0;
    if (!to_src->TransformBounds(b.min_x, b.min_y, b.max_x, b.max_y, &sx0, &sy0, &sx1, &sy1, 21)) {
        throw InputError(file, "", "cannot transform the analysis grid into the raster's CRS");
    }
    const int c0 = std::max(0, static_cast<int>(std::floor((sx0 - gt[0]) / gt[1])) - 1);
    const int c1 = std::min(src->GetRasterXSize(), static_cast<int>(std::ceil((sx1 - gt[0]) / gt[1])) + 1);
    const int r0 = std::max(0, static_cast<int>(std::floor((sy1 - gt[3]) / gt[5])) - 1);
    const int r1 = std::min(src->GetRasterYSize(), static_cast<int>(std::ceil((sy0 - gt[3]) / gt[5])) + 1);
    if (c1 <= c0 || r1 <= r0) {
        throw InputError(file, "", "the population raster does not cover the area of interest");
    }
    const int wc = c1 - c0;
    const int wr = r1 - r0;
    std::vector<double> pop(static_cast<std::size_t>(wc) * wr);
    if (read_window(band, c0, r0, wc, wr, pop.data()) != CE_None) {
        throw InputError(file, "", "cannot read the population raster");
    }
    auto valid = [&](double v) {
        return std::isfinite(v) && !(has_nodata != 0 && v == nodata) && v >= 0.0;
    };
    for (double v : pop) {
        if (std::isfinite(v) && v < 0.0 && !(has_nodata != 0 && v == nodata)) {
            throw InputError(file, "", "negative population count " + std::to_string(v) +
                                           ": the raster must hold people per pixel (≥ 0)");
        }
    }

    PopulationOnGrid out;
    // The geotransform of the source window: both branches build in-memory rasters on it.
    double window_gt[6] = {gt[0] + c0 * gt[1], gt[1], 0.0, gt[3] + r0 * gt[5], 0.0, gt[5]};
    const double src_px_m = source_pixel_size_m(*src, gt, c0 + wc / 2, r0 + wr / 2, grid);
    if (src_px_m < 2.0 * grid.resolution_m) {
        // Grid pixels are not much smaller than source pixels: let GDAL sum the overlap.
        DatasetPtr dst = mem_on_grid(grid, GDT_Float32, std::numeric_limits<double>::quiet_NaN());
        std::vector<std::string> args = {"-r", "sum", "-dstnodata", "nan"};
        if (has_nodata != 0) args.insert(args.end(), {"-srcnodata", std::to_string(nodata)});
        run_warp(src.get(), dst.get(), args, file);
        out.people = read_band(*dst, grid.cols, grid.rows);
        out.method = "gdal-sum";
        // GDAL's sum gives neighbouring valid pixels a floating-point sliver of weight in grid
        // pixels that only cover nodata; the valid-area fraction (a 0/1 raster, averaged) tells
        // them apart, so nodata stays nodata instead of ~0 people.
        DatasetPtr valid_src = create_mem_raster(wc, wr, 1, GDT_Byte);
        valid_src->SetGeoTransform(window_gt);
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
        require_valid_pixel(out.people, file);
        return out;
    }

    // Index raster of the source window: value = position in `pop`, -1 where nodata.
    DatasetPtr idx = create_mem_raster(wc, wr, 1, GDT_Int32);
    idx->SetGeoTransform(window_gt);
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
    require_valid_pixel(out.people, file);
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
    std::unique_ptr<OGRPreparedGeometry, decltype(&OGRDestroyPreparedGeometry)> prepared(
        OGRCreatePreparedGeometry(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&polygon))),
        &OGRDestroyPreparedGeometry);
    double sum = 0.0;
    for (int r = 0; r < wr; ++r) {
        for (int c = 0; c < wc; ++c) {
            const double value = v[static_cast<std::size_t>(r) * wc + c];
            if (!std::isfinite(value) || (has_nodata != 0 && value == nodata)) continue;
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
