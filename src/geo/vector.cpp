#include "phusong/geo/vector.hpp"

#include <fmt/format.h>
#include <ogrsf_frmts.h>

#include "phusong/core/error.hpp"
#include "phusong/core/interrupt.hpp"
#include "phusong/geo/gdal.hpp"

namespace phusong::geo {

PolygonLayer read_polygons(const std::filesystem::path& path, const std::string& role,
                           const OGRSpatialReference& target) {
    const std::string file = path.string();
    DatasetPtr ds = open_vector(path, role);
    require_single_layer(*ds, file, role);
    OGRLayer* layer = ds->GetLayer(0);
    const OGRSpatialReference* layer_srs = layer->GetSpatialRef();
    if (layer_srs == nullptr) {
        throw InputError(file, "", "the " + role + " layer has no CRS: save it with one (GeoJSON is always EPSG:4326)");
    }
    OGRSpatialReference src(*layer_srs);
    src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    TransformPtr transform = make_transform(src, target);

    PolygonLayer out;
    out.file = file;
    ProblemList problems;
    layer->ResetReading();
    for (auto& feature : *layer) {
        throw_if_interrupted();  // a layer of many large polygons ends on Ctrl-C too
        const long fid = static_cast<long>(feature->GetFID());
        const std::string where = "feature " + std::to_string(fid);
        const OGRGeometry* g = feature->GetGeometryRef();
        if (g == nullptr || g->IsEmpty()) {
            problems.add(file, where, "feature without geometry: every " + role + " feature needs a polygon");
            continue;
        }
        const auto flat = wkbFlatten(g->getGeometryType());
        if (flat != wkbPolygon && flat != wkbMultiPolygon) {
            problems.add(file, where, std::string("expected a polygon or multipolygon, got ") +
                                          OGRGeometryTypeToName(g->getGeometryType()));
            continue;
        }
        std::unique_ptr<OGRGeometry> geom(g->clone());
        // GEOS explains an invalid ring as a GDAL warning ("Ring Self-intersection at or near
        // point …") on stderr; the repair below reports it in our words instead.
        const GdalErrorCapture quiet;
        if (!geom->IsValid()) {
            std::unique_ptr<OGRGeometry> fixed(geom->MakeValid());
            if (!fixed || fixed->IsEmpty()) {
                problems.add(file, where, "invalid polygon that GEOS make-valid cannot repair");
                continue;
            }
            // make-valid can return a collection with stray lines; keep the areal part.
            if (wkbFlatten(fixed->getGeometryType()) == wkbGeometryCollection) {
                auto polys = std::make_unique<OGRMultiPolygon>();
                for (const auto* part : *fixed->toGeometryCollection()) {
                    const auto t = wkbFlatten(part->getGeometryType());
                    if (t == wkbPolygon) polys->addGeometry(part);
                    if (t == wkbMultiPolygon) {
                        for (const auto* p : *part->toMultiPolygon()) polys->addGeometry(p);
                    }
                }
                fixed = std::move(polys);
            }
            out.repaired.push_back(where + ": invalid polygon (e.g. self-intersection) repaired with make-valid");
            geom = std::move(fixed);
        }
        if (src.IsGeographic()) {
            // GeoJSON and most GIS files store longitude first (RFC 7946 §3.1.1); a latitude
            // beyond ±90° is a longitude in the wrong place.
            OGREnvelope e;
            geom->getEnvelope(&e);
            if (e.MinY < -90.0 || e.MaxY > 90.0) {
                problems.add(file, where,
                             fmt::format("latitudes from {:g} to {:g}°, beyond ±90°: the coordinates look like "
                                         "(latitude, longitude) where (longitude, latitude) is expected; swap them "
                                         "(QGIS: Processing › Swap X and Y coordinates)",
                                         e.MinY, e.MaxY));
                continue;
            }
        }
        if (geom->transform(transform.get()) != OGRERR_NONE) {
            problems.add(file, where, "cannot transform the polygon to the grid CRS");
            continue;
        }
        PolygonFeature pf;
        pf.fid = fid;
        pf.geometry = std::move(geom);
        for (int i = 0; i < feature->GetFieldCount(); ++i) {
            if (feature->IsFieldSetAndNotNull(i)) {
                pf.fields[feature->GetFieldDefnRef(i)->GetNameRef()] = feature->GetFieldAsString(i);
            }
        }
        out.features.push_back(std::move(pf));
    }
    if (out.features.empty() && problems.empty()) {
        problems.add(file, "", "the " + role + " layer has no polygon feature");
    }
    problems.throw_if_any();
    return out;
}

std::unique_ptr<OGRGeometry> union_all(const PolygonLayer& layer) {
    OGRMultiPolygon all;
    for (const auto& f : layer.features) {
        if (wkbFlatten(f.geometry->getGeometryType()) == wkbPolygon) {
            all.addGeometry(f.geometry.get());
        } else {
            for (const auto* p : *f.geometry->toMultiPolygon()) all.addGeometry(p);
        }
    }
    std::unique_ptr<OGRGeometry> u(all.UnionCascaded());
    if (!u) throw GdalError("cannot union the polygons of " + layer.file);
    return u;
}

Bounds envelope(const OGRGeometry& g) {
    OGREnvelope e;
    g.getEnvelope(&e);
    return {e.MinX, e.MinY, e.MaxX, e.MaxY};
}

}  // namespace phusong::geo
