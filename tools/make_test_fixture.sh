#!/usr/bin/env bash
# Rebuilds the tiny real-data fixture in tests/data/tiny/ (a 0.12° × 0.10° window around Vĩnh Yên)
# from gis_data/vinh_phuc. Its sites.csv is hand-written.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src=$here/gis_data/vinh_phuc
dst=$here/tests/data/tiny
mkdir -p "$dst"
win=(-projwin 105.54 21.36 105.66 21.26)
gdal_translate -q "${win[@]}" -co COMPRESS=DEFLATE "$src/dem_srtm3_voidfilled.tif" "$dst/dem.tif"
gdal_translate -q -projwin 105.50 21.40 105.70 21.22 -co COMPRESS=DEFLATE "$src/population_worldpop2020_1km.tif" "$dst/population.tif"
rm -f "$dst"/*.aux.xml
