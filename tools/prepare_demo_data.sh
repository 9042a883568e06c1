#!/usr/bin/env bash
# Rebuilds gis_data/vinh_phuc/ (except sites.csv, see tools/gen_sites.py) from the real data in
# ../shared/gis_data_real. Documents exactly how each demo file was made; needs gdal-bin.
# Clip window: the province's bounds (lon 105.3227–105.7866, lat 21.1523–21.5740) plus 15 km
# (0.145° of longitude, 0.135° of latitude at 21.4°N), limited by the SRTM tile to lat ≥ 21.0.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src=${PHUSONG_REAL_DATA:-$here/../shared/gis_data_real}
dst=$here/gis_data/vinh_phuc
mkdir -p "$dst"
win=(-projwin 105.175 21.710 105.935 21.015)
gdal_translate -q "${win[@]}" -co COMPRESS=DEFLATE -co PREDICTOR=2 -co TILED=YES \
  "$src/dem/N21E105_srtm3_voidfilled.tif" "$dst/dem_srtm3_voidfilled.tif"
gdal_translate -q "${win[@]}" -co COMPRESS=DEFLATE \
  "$src/population/vnm_ppp_2020_1km_Aggregated_UNadj.tif" "$dst/population_worldpop2020_1km.tif"
cp "$src/boundaries/dvhcvn_gis_26_vinhphuc_province.geojson" "$dst/province.geojson"
cp "$src/boundaries/dvhcvn_gis_26_vinhphuc_districts.geojson" "$dst/districts.geojson"
rm -f "$dst"/*.aux.xml
echo "demo data written to $dst"
