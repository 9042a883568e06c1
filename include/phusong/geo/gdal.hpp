#pragma once
/// RAII and error handling around GDAL/OGR. Business code never calls GDALClose itself.

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <filesystem>
#include <memory>
#include <string>

namespace phusong::geo {

/// Registers GDAL drivers once (thread-safe).
void gdal_init();

/// Turns GDAL's CE_Failure/CE_Fatal messages raised inside its scope into text that the caller
/// puts into an exception with context (file, role). Thread-local, nests.
class GdalErrorCapture {
public:
    GdalErrorCapture();
    ~GdalErrorCapture();
    GdalErrorCapture(const GdalErrorCapture&) = delete;
    GdalErrorCapture& operator=(const GdalErrorCapture&) = delete;
    /// The last error message captured, or "" if none.
    [[nodiscard]] const std::string& last_error() const noexcept { return m_last; }
    /// Every error message captured, one per line (the first few): a library often states the
    /// cause (libtiff: "No space left on device") before the message that ends the write.
    [[nodiscard]] const std::string& all_errors() const noexcept { return m_all; }

private:
    static void CPL_STDCALL handler(CPLErr cls, CPLErrorNum num, const char* msg);
    std::string m_last;
    std::string m_all;
};

/// "cannot write PATH: …" for a write GDAL failed: the cause and its fix when GDAL's message names
/// a system error (libtiff's "No space left on device"), else GDAL's message.
[[nodiscard]] std::string write_failure(const std::filesystem::path& path, const GdalErrorCapture& cap);

using DatasetPtr = GDALDatasetUniquePtr;

/// Opens a raster for reading. InputError (naming `role` and the file) if it cannot be opened, has
/// no CRS, or has a rotated geotransform.
[[nodiscard]] DatasetPtr open_raster(const std::filesystem::path& path, const std::string& role);

/// Opens a vector dataset for reading; InputError if it cannot be opened or has no layer.
[[nodiscard]] DatasetPtr open_vector(const std::filesystem::path& path, const std::string& role);

/// InputError when the dataset holds more than one vector layer: the run reads one, and the
/// others would be ignored without a word. The message lists the layers and how to pick one.
void require_single_layer(GDALDataset& ds, const std::string& file, const std::string& role);

/// A GDALProgressFunc that stops GDAL (warping, RasterIO) once SIGINT/SIGTERM/SIGHUP arrived;
/// the caller then throws Interrupted (throw_if_interrupted) instead of reporting a GDAL error.
int CPL_STDCALL interrupt_progress(double complete, const char* message, void* data);

/// A spatial reference with the traditional GIS axis order (x = easting/longitude).
[[nodiscard]] OGRSpatialReference srs_from_epsg(int epsg);
[[nodiscard]] OGRSpatialReference srs_wgs84();

using TransformPtr = std::unique_ptr<OGRCoordinateTransformation>;
/// Coordinate transformation between two CRSs (traditional axis order). GdalError on failure.
[[nodiscard]] TransformPtr make_transform(const OGRSpatialReference& from,
                                          const OGRSpatialReference& to);

/// An in-memory (MEM driver) raster dataset on the given frame.
[[nodiscard]] DatasetPtr create_mem_raster(int cols, int rows, int bands, GDALDataType type);

}  // namespace phusong::geo
