#include "phusong/geo/gdal.hpp"

#include <ogrsf_frmts.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "phusong/core/error.hpp"
#include "phusong/core/input_file.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/core/output_file.hpp"

namespace phusong::geo {

void gdal_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        CPLSetConfigOption("GDAL_NUM_THREADS", "1");  // our own threading; keeps outputs stable
    });
}

GdalErrorCapture::GdalErrorCapture() { CPLPushErrorHandlerEx(&GdalErrorCapture::handler, this); }

GdalErrorCapture::~GdalErrorCapture() { CPLPopErrorHandler(); }

void CPL_STDCALL GdalErrorCapture::handler(CPLErr cls, CPLErrorNum /*num*/, const char* msg) {
    auto* self = static_cast<GdalErrorCapture*>(CPLGetErrorHandlerUserData());
    if (cls >= CE_Failure && self != nullptr) {
        self->m_last = msg != nullptr ? msg : "unknown GDAL error";
        if (self->m_all.size() < 4096) self->m_all += self->m_last + "\n";
    }
}

std::string write_failure(const std::filesystem::path& path, const GdalErrorCapture& cap) {
    if (const int err = write_cause_in(cap.all_errors()); err != 0) return write_failure_message(path, err);
    // libtiff may report only "IO error writing tag data": a disk with no room left is the cause.
    if (struct statvfs fs {}; ::statvfs(path.parent_path().c_str(), &fs) == 0 && fs.f_bavail == 0) {
        return write_failure_message(path, ENOSPC);
    }
    return "cannot write " + path.string() + (cap.last_error().empty() ? "" : ": " + cap.last_error());
}

namespace {

std::string why(const GdalErrorCapture& cap, const char* fallback) {
    return cap.last_error().empty() ? std::string(fallback) : cap.last_error();
}

/// Why GDAL could not open `path`: the operating system's reason when the file itself cannot be
/// read (GDAL then says only that no driver recognised it), else GDAL's own message.
std::string open_failure(const std::filesystem::path& path, const GdalErrorCapture& cap) {
    if (!path.string().starts_with("/vsi")) {  // GDAL's virtual paths are not files
        errno = 0;
        std::FILE* f = std::fopen(path.c_str(), "rb");
        if (f == nullptr && errno != 0) return std::strerror(errno);
        if (f != nullptr) std::fclose(f);
    }
    return why(cap, "format not recognised");
}

}  // namespace

DatasetPtr open_raster(const std::filesystem::path& path, const std::string& role) {
    gdal_init();
    require_not_special(path);  // GDAL would block on a FIFO and read /dev/zero for ever
    GdalErrorCapture cap;
    DatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    const std::string file = path.string();
    if (!ds) {
        throw InputError(file, "", "cannot open as a raster (" + role + "): " +
                                       open_failure(path, cap));
    }
    if (ds->GetRasterCount() < 1) throw InputError(file, "", "the raster has no band");
    double gt[6];
    if (ds->GetGeoTransform(gt) != CE_None) {
        throw InputError(file, "", "the raster has no geotransform (georeferencing): " + role +
                                       " must be a georeferenced raster");
    }
    if (gt[2] != 0.0 || gt[4] != 0.0) {
        throw InputError(file, "geotransform",
                         "rotated or sheared rasters are not supported: warp it north-up first "
                         "(gdalwarp in.tif out.tif)");
    }
    if (ds->GetSpatialRef() == nullptr) {
        throw InputError(file, "", "the raster has no CRS: assign one (gdal_edit.py -a_srs EPSG:XXXX)");
    }
    return ds;
}

DatasetPtr open_vector(const std::filesystem::path& path, const std::string& role) {
    gdal_init();
    require_not_special(path);
    GdalErrorCapture cap;
    DatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    const std::string file = path.string();
    if (!ds) {
        throw InputError(file, "", "cannot open as a vector layer (" + role + "): " +
                                       open_failure(path, cap));
    }
    if (ds->GetLayerCount() < 1) throw InputError(file, "", "the file has no layer");
    return ds;
}

void require_single_layer(GDALDataset& ds, const std::string& file, const std::string& role) {
    const int n = ds.GetLayerCount();
    if (n <= 1) return;
    // Reading only the first layer silently drops the others (a GeoPackage often holds several).
    std::string names;
    for (int i = 0; i < n; ++i) names += (i ? ", " : "") + std::string(ds.GetLayer(i)->GetName());
    const std::string first = ds.GetLayer(0)->GetName();
    throw InputError(file, "", "the file holds " + std::to_string(n) + " layers (" + names + ") and phusong reads one (" + role +
                                   "), ignoring the others: copy the layer you mean to its own file, "
                                   "e.g. ogr2ogr -f GPKG one_layer.gpkg " + file + " " + first);
}

int CPL_STDCALL interrupt_progress(double /*complete*/, const char* /*message*/, void* /*data*/) {
    return interrupted() ? FALSE : TRUE;
}

OGRSpatialReference srs_from_epsg(int epsg) {
    OGRSpatialReference srs;
    GdalErrorCapture cap;  // PROJ's own "crs not found" goes into the message, not to stderr
    if (srs.importFromEPSG(epsg) != OGRERR_NONE) {
        throw InputError("", "key grid.epsg", "unknown EPSG code " + std::to_string(epsg) +
                                                  ": give a projected CRS such as 32648 (WGS 84 / UTM 48N)");
    }
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

OGRSpatialReference srs_wgs84() { return srs_from_epsg(4326); }

TransformPtr make_transform(const OGRSpatialReference& from, const OGRSpatialReference& to) {
    GdalErrorCapture cap;
    TransformPtr t(OGRCreateCoordinateTransformation(&from, &to));
    if (!t) throw GdalError("cannot transform between CRSs: " + why(cap, "PROJ failed"));
    return t;
}

DatasetPtr create_mem_raster(int cols, int rows, int bands, GDALDataType type) {
    gdal_init();
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    if (mem == nullptr) throw GdalError("GDAL MEM driver missing");
    DatasetPtr ds(mem->Create("", cols, rows, bands, type, nullptr));
    if (!ds) throw GdalError("cannot allocate an in-memory raster");
    return ds;
}

}  // namespace phusong::geo
