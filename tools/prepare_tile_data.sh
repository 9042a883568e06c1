#!/usr/bin/env bash
# Prepares gis_data/n21e105/ for the scenario gis_data/n21e105.toml: the whole SRTM tile N21E105
# (lon 105–106 E, lat 21–22 N, about 11,000 km²: Vĩnh Phúc, north-west Hà Nội, parts of Phú Thọ,
# Tuyên Quang and Thái Nguyên) with a synthetic site table, from the real data in
# ../shared/gis_data_real (SOURCES.md there). Nothing it writes is committed (.gitignore): the folder
# is made again by this script. Needs gdal-bin, python3-gdal, python3-numpy.
#
#   tools/prepare_tile_data.sh [SITES]      # default 6000 sites (about 46,000 cells)
#
# The area is the tile less 0.03° on each side, so that the run's grid (the area's UTM envelope plus
# grid.margin_m = 1000) stays on the DEM: the tile is not square in UTM zone 48 (the meridian
# convergence turns it by up to ~0.4°, ~700 m over its height).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src=${PHUSONG_REAL_DATA:-$here/../shared/gis_data_real}
dst=$here/gis_data/n21e105
sites=${1:-6000}
mkdir -p "$dst"
cat >"$dst/aoi.geojson" <<'JSON'
{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "SRTM tile N21E105 less 0.03°"},
 "geometry": {"type": "Polygon", "coordinates": [[[105.03, 21.03], [105.97, 21.03], [105.97, 21.97], [105.03, 21.97], [105.03, 21.03]]]}}]}
JSON
# The DEM tiled, so that a shard reads its window only.
gdal_translate -q -co TILED=YES -co COMPRESS=DEFLATE -co PREDICTOR=2 \
  "$src/dem/N21E105_srtm3_voidfilled.tif" "$dst/dem_srtm3_voidfilled.tif"
gdal_translate -q -projwin 104.8 22.2 106.2 20.8 -co COMPRESS=DEFLATE \
  "$src/population/vnm_ppp_2020_1km_Aggregated_UNadj.tif" "$dst/population_worldpop2020_1km.tif"
rm -f "$dst"/*.aux.xml
/usr/bin/python3 "$here/tools/gen_sites.py" --aoi "$dst/aoi.geojson" --admin none \
  --population "$dst/population_worldpop2020_1km.tif" --dem "$dst/dem_srtm3_voidfilled.tif" \
  --sites "$sites" --out "$dst/sites.csv" >"$dst/sites_summary.txt"
head -1 "$dst/sites_summary.txt"
echo "tile data written to $dst"
