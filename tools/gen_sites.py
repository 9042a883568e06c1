#!/usr/bin/env python3
"""Deterministic generator of a SYNTHETIC base-station (site/cell) table for any area.

No public BTS list exists for the demo province, so this script makes a realistic stand-in from
an area outline, a population raster and a DEM; by default those of the demo in gis_data/vinh_phuc
(province and district outlines, WorldPop 2020 population, SRTM3 DEM).  The method, parameters,
band plan and antenna catalogue are described in gis_data/vinh_phuc/SITES.md.  Nothing here is
real operator data.

Run with Debian's interpreter (needs python3-gdal and python3-numpy only):

    /usr/bin/python3 tools/gen_sites.py [--out gis_data/vinh_phuc/sites.csv] [--seed 20240917]
    /usr/bin/python3 tools/gen_sites.py --aoi AOI.geojson --admin none --population POP.tif \
        --dem DEM.tif --sites 6000 --out sites.csv        # another area (tools/prepare_tile_data.sh)

The area's outline, population and DEM are in EPSG:4326 (lon/lat); the rasters may be larger than
the area (a country's population raster): only the window around the area is read.

The output is byte-identical for the same seed and inputs: all randomness comes from one
random.Random(seed) (stable across Python versions), and nothing iterates over unordered sets.
"""

import argparse
import bisect
import math
import os
import random
import sys

os.environ.setdefault("GDAL_PAM_ENABLED", "NO")  # never write *.aux.xml next to the inputs

import numpy as np  # noqa: E402
from osgeo import gdal, ogr, osr  # noqa: E402

gdal.UseExceptions()
ogr.UseExceptions()

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(REPO, "gis_data", "vinh_phuc")
DEFAULT_SEED = 20240917
DEMO_SITES = 3000  # sum of the operators' n below: the demo's site count
NR_TOWNS = ("Thành phố Vĩnh Yên", "Thành phố Phúc Yên")  # the demo's n41 sites: one in each town
READ_MARGIN_DEG = 0.15  # rasters are read over the area's bounds plus this (the demo's clip is within)

M_PER_DEG_LAT = 110574.0
M_PER_DEG_LON_EQ = 111320.0

# --------------------------------------------------------------------------------------------
# Parameters (documented in SITES.md)
# --------------------------------------------------------------------------------------------

# Operators in output order: code, name, number of sites (for the demo's 3,000 sites; --sites scales
# them), placement parameters.
#   cov_a       uniform (coverage) term of the site-density weight, relative to the capacity term
#   gamma       exponent of the capacity term (pop density / 1000 per km2) ** gamma
#   skel_r_m    coverage skeleton: every populated 1 km pixel gets a site within this radius
#   skel_pd     ... if its population density (per km2) is at least this
#   share_p     probability that a sampled site is put on another operator's tower nearby
#   hilltops    number of hilltop sites
#   tamdao      whether the operator has a site in Tam Dao town
OPERATORS = [
    dict(code="VT", name="Viettel", n=1200, cov_a=0.15, gamma=1.00, skel_r_m=2000, skel_pd=60,
         share_p=0.00, hilltops=3, tamdao=True),
    dict(code="VP", name="VNPT-VinaPhone", n=810, cov_a=0.10, gamma=1.05, skel_r_m=2600, skel_pd=80,
         share_p=0.18, hilltops=3, tamdao=True),
    dict(code="MF", name="MobiFone", n=780, cov_a=0.10, gamma=1.05, skel_r_m=2600, skel_pd=80,
         share_p=0.18, hilltops=3, tamdao=True),
    dict(code="VM", name="Vietnamobile", n=210, cov_a=0.02, gamma=1.40, skel_r_m=4500, skel_pd=400,
         share_p=0.35, hilltops=0, tamdao=False),
]

TAMDAO_TOWN = (105.645, 21.457)  # Tam Dao hill-station town on the ridge (~900 m)
TAMDAO_ZONE_M = 1500.0           # terrain limits are waived within this distance of the town

MAX_ELEV_M = 350.0               # ordinary sites: not above this ground height ...
MAX_SLOPE_DEG = 22.0             # ... nor on slopes steeper than this (full weight below 12 deg)
BOUNDARY_MARGIN_M = 40.0         # sites stay at least this far inside the province outline
OTHER_OP_MIN_M = 60.0            # a site not sharing a tower keeps this distance from other towers


def min_spacing_m(pd):
    """Minimum distance between two sites of the same operator, by population density (/km2)."""
    if pd >= 2500:
        return 250.0
    if pd >= 1000:
        return 400.0
    if pd >= 300:
        return 600.0
    return 800.0


# Layers: code in cell_id, tech, band, per operator (DL centre MHz, bandwidth MHz) or GSM channel
# list, and the share of sites carrying the layer as (dense/urban, rural).
# Band plan per operator (illustrative, see SITES.md):
#   GSM900/B8 925-960: VM 925-930 (GSM), VP 930-940, MF 940-950, VT 950-960 (GSM + 5 MHz LTE each)
#   GSM1800/B3 1805-1880: VM 1805-1817.5, VT 1817.5-1840, MF 1840-1860, VP 1860-1880
#   UMTS2100/B1 2110-2170: VM 2110-2125, VP 2125-2140, MF 2140-2155, VT 2155-2170 (UMTS 5 + LTE 10)
#   n41: VT 2500-2600 (NR 100 MHz TDD)
def gsm_channels(first_mhz, count):
    return [round(first_mhz + 0.2 * i, 1) for i in range(count)]


GSM900_CH = {"VM": gsm_channels(925.2, 24), "VP": gsm_channels(930.2, 24),
             "MF": gsm_channels(940.2, 24), "VT": gsm_channels(950.2, 24)}
GSM1800_CH = {"VM": gsm_channels(1805.2, 12), "VT": gsm_channels(1817.6, 12),
              "MF": gsm_channels(1840.2, 24), "VP": gsm_channels(1860.2, 24)}
LTE_B3 = {"VM": (1812.5, 10), "VT": (1830.0, 20), "MF": (1852.5, 15), "VP": (1872.5, 15)}
LTE_B8 = {"VP": (937.5, 5), "MF": (947.5, 5), "VT": (957.5, 5)}
UMTS_B1 = {"VM": (2112.5, 5), "VP": (2127.5, 5), "MF": (2142.5, 5), "VT": (2157.5, 5)}
LTE_B1 = {"VP": (2135.0, 10), "MF": (2150.0, 10), "VT": (2165.0, 10)}
NR_N41 = {"VT": (2550.0, 100)}

# (layer code, tech, band, low band?, {op: (share urban, share rural)})
LAYERS = [
    ("G09", "GSM", "GSM900", True, {"VT": (0.45, 0.70), "VP": (0.40, 0.60), "MF": (0.40, 0.60),
                                    "VM": (0.70, 0.80)}),
    ("G18", "GSM", "GSM1800", False, {"VT": (0.15, 0.03), "VP": (0.25, 0.05), "MF": (0.25, 0.05),
                                      "VM": (0.45, 0.20)}),
    ("U21", "UMTS", "UMTS2100", False, {"VT": (0.55, 0.40), "VP": (0.60, 0.45), "MF": (0.55, 0.40),
                                        "VM": (0.25, 0.10)}),
    ("L09", "LTE", "B8", True, {"VT": (0.15, 0.40), "VP": (0.10, 0.30), "MF": (0.10, 0.30)}),
    ("L18", "LTE", "B3", False, {"VT": (0.98, 0.96), "VP": (0.96, 0.93), "MF": (0.96, 0.93),
                                 "VM": (0.92, 0.85)}),
    ("L21", "LTE", "B1", False, {"VT": (0.45, 0.10), "VP": (0.35, 0.08), "MF": (0.35, 0.08)}),
    ("N41", "NR", "n41", False, {}),  # added to exactly two Viettel sites, see place_nr()
]
URBAN_PD = 1500.0  # layer shares use the "urban" value at or above this density (/km2)


def tx_power_dbm(tech, bw):
    if tech in ("GSM", "UMTS"):
        return 43.0                                  # 20 W per TRX / carrier
    if tech == "LTE":
        return {5: 43.0, 10: 44.8, 15: 46.0, 20: 46.0}[bw]  # 20 W, 30 W, 40 W, 40 W
    return 53.0                                      # NR 100 MHz massive-MIMO AAU, 200 W


# Antenna catalogue: name -> (H beamwidth deg, V beamwidth deg, gain dBi); see SITES.md.
ANTENNAS = {
    "sector65_15dbi": (65, 11, 15.0),   # low band (900 MHz) panel
    "sector90_14dbi": (90, 12, 14.0),   # wide low-band panel, sparse rural areas
    "sector65_17dbi": (65, 7, 17.0),    # high band (1800/2100) panel, urban/rooftop
    "sector65_18dbi": (65, 6, 18.0),    # high band long panel, rural towers
    "nr_mmimo_64t64r": (65, 6, 24.0),   # 64T64R AAU, approximated as a fixed sector
}


# --------------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------------

class Poly:
    """A (multi)polygon as numpy edge arrays for exact point-in-polygon and boundary distance."""

    def __init__(self, geom, name=""):
        self.name = name
        rings = []
        geom = geom.Clone()
        geom.FlattenTo2D()
        parts = [geom] if geom.GetGeometryType() == ogr.wkbPolygon else \
            [geom.GetGeometryRef(i) for i in range(geom.GetGeometryCount())]
        for p in parts:
            for r in range(p.GetGeometryCount()):
                ring = p.GetGeometryRef(r)
                pts = np.array([ring.GetPoint_2D(i) for i in range(ring.GetPointCount())])
                if len(pts) and (pts[0] != pts[-1]).any():
                    pts = np.vstack([pts, pts[:1]])
                rings.append(pts)
        pts = np.vstack(rings)
        self.bbox = (pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max())
        self.x1 = np.concatenate([r[:-1, 0] for r in rings])
        self.y1 = np.concatenate([r[:-1, 1] for r in rings])
        self.x2 = np.concatenate([r[1:, 0] for r in rings])
        self.y2 = np.concatenate([r[1:, 1] for r in rings])

    def contains(self, x, y):
        if not (self.bbox[0] <= x <= self.bbox[2] and self.bbox[1] <= y <= self.bbox[3]):
            return False
        cross = (self.y1 > y) != (self.y2 > y)
        if not cross.any():
            return False
        x1, y1, x2, y2 = self.x1[cross], self.y1[cross], self.x2[cross], self.y2[cross]
        xint = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        return int(np.count_nonzero(x < xint)) % 2 == 1

    def boundary_distance_m(self, x, y):
        kx = M_PER_DEG_LON_EQ * math.cos(math.radians(y))
        ax, ay = (self.x1 - x) * kx, (self.y1 - y) * M_PER_DEG_LAT
        bx, by = (self.x2 - x) * kx, (self.y2 - y) * M_PER_DEG_LAT
        dx, dy = bx - ax, by - ay
        l2 = dx * dx + dy * dy
        t = np.clip(-(ax * dx + ay * dy) / np.where(l2 > 0, l2, 1.0), 0.0, 1.0)
        px, py = ax + t * dx, ay + t * dy
        return float(np.sqrt((px * px + py * py).min()))


def dist_m(lon1, lat1, lon2, lat2):
    kx = M_PER_DEG_LON_EQ * math.cos(math.radians(0.5 * (lat1 + lat2)))
    return math.hypot((lon2 - lon1) * kx, (lat2 - lat1) * M_PER_DEG_LAT)


class SpatialIndex:
    """Grid hash of site positions (0.01 degree cells) for radius queries."""

    CELL = 0.01

    def __init__(self):
        self.cells = {}

    def key(self, lon, lat):
        return (int(math.floor(lon / self.CELL)), int(math.floor(lat / self.CELL)))

    def add(self, idx, lon, lat):
        self.cells.setdefault(self.key(lon, lat), []).append(idx)

    def near(self, lon, lat, radius_m):
        """Indices of items in the cells that may lie within radius_m, in insertion order."""
        kx, ky = self.key(lon, lat)
        nx = int(math.ceil(radius_m / (self.CELL * M_PER_DEG_LON_EQ * 0.92)))
        ny = int(math.ceil(radius_m / (self.CELL * M_PER_DEG_LAT)))
        out = []
        for i in range(kx - nx, kx + nx + 1):
            for j in range(ky - ny, ky + ny + 1):
                out.extend(self.cells.get((i, j), ()))
        out.sort()
        return out


def read_raster(path, bbox=None):
    """Band 1 as float64 with nodata as NaN; with bbox (lon0, lat0, lon1, lat1), only the whole
    pixels of the window bbox + READ_MARGIN_DEG (clamped to the raster)."""
    ds = gdal.Open(path)
    band = ds.GetRasterBand(1)
    gt = ds.GetGeoTransform()
    x0, y0, nx, ny = 0, 0, ds.RasterXSize, ds.RasterYSize
    if bbox is not None:
        m = READ_MARGIN_DEG
        x0 = max(0, int(math.floor((bbox[0] - m - gt[0]) / gt[1])))
        x1 = min(nx, int(math.ceil((bbox[2] + m - gt[0]) / gt[1])))
        y0 = max(0, int(math.floor((bbox[3] + m - gt[3]) / gt[5])))
        y1 = min(ny, int(math.ceil((bbox[1] - m - gt[3]) / gt[5])))
        if x1 <= x0 or y1 <= y0:
            raise SystemExit(f"{path}: does not cover the area {bbox}")
        nx, ny = x1 - x0, y1 - y0
    arr = band.ReadAsArray(x0, y0, nx, ny).astype(np.float64)
    nodata = band.GetNoDataValue()
    if nodata is not None:
        arr[arr == nodata] = np.nan
    gt = (gt[0] + x0 * gt[1], gt[1], 0.0, gt[3] + y0 * gt[5], 0.0, gt[5])
    return arr, gt, ds.GetProjection()


def read_area(path):
    """The union of the polygons of a vector file, as one OGR geometry (lon/lat)."""
    ds = ogr.Open(path)
    if ds is None:
        raise SystemExit(f"{path}: cannot open")
    geoms = [f.GetGeometryRef().Clone() for f in ds.GetLayer() if f.GetGeometryRef() is not None]
    if not geoms:
        raise SystemExit(f"{path}: no polygon")
    if len(geoms) == 1:
        return geoms[0]
    coll = ogr.Geometry(ogr.wkbMultiPolygon)
    for g in geoms:
        coll.AddGeometry(g)
    return coll.UnionCascaded()


def box_mean(a, half):
    """Mean of a over a (2*half+1)^2 window (edges clamped), via cumulative sums."""
    p = np.pad(a, half + 1, mode="edge")
    c = p.cumsum(0).cumsum(1)
    k = 2 * half + 1
    s = c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]
    return (s / (k * k))[: a.shape[0], : a.shape[1]]


def window_max(a, half):
    p = np.pad(a, half, mode="edge")
    out = np.full(a.shape, -np.inf)
    for di in range(2 * half + 1):
        for dj in range(2 * half + 1):
            np.maximum(out, p[di:di + a.shape[0], dj:dj + a.shape[1]], out=out)
    return out


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------

class World:
    """Input data on a common fine grid (the 1 km population grid subdivided 10 x 10).

    aoi: the area's outline (its polygons' union); admin: its units (None: the area is one unit,
    named admin_name); population, dem: rasters in lon/lat, read around the area only."""

    FINE = 10

    def __init__(self, aoi, admin, name_field, population, dem, admin_name="area"):
        area = read_area(aoi)
        self.province = Poly(area, "province")
        self.admin, self.name_field = admin, name_field
        self.districts = []
        if admin is not None:
            ads = ogr.Open(admin)  # kept open while its layer is read (GDAL's Python rule)
            for f in ads.GetLayer():
                self.districts.append(Poly(f.GetGeometryRef(), f.GetField(name_field)))
        else:
            self.districts.append(Poly(area, admin_name))
        bbox = self.province.bbox

        # Population (people per pixel) -> density per km2.
        pop, gt, proj = read_raster(population, bbox)
        pop = np.nan_to_num(pop, nan=0.0)
        pop[pop < 0] = 0.0
        self.pop_gt = gt
        ny, nx = pop.shape
        lat_c = gt[3] + gt[5] * (np.arange(ny) + 0.5)
        px_km2 = (gt[1] * M_PER_DEG_LON_EQ * np.cos(np.radians(lat_c)) / 1000.0) * \
                 (-gt[5] * M_PER_DEG_LAT / 1000.0)
        self.pd = pop / px_km2[:, None]
        self.pop = pop

        # Province mask on the fine grid -> fraction of each pixel inside.
        f = self.FINE
        fgt = (gt[0], gt[1] / f, 0.0, gt[3], 0.0, gt[5] / f)
        self.fgt = fgt
        mem = gdal.GetDriverByName("MEM").Create("", nx * f, ny * f, 1, gdal.GDT_Byte)
        mem.SetGeoTransform(fgt)
        mem.SetProjection(proj)
        tmp = ogr.GetDriverByName("Memory").CreateDataSource("")
        tl = tmp.CreateLayer("area", osr.SpatialReference(wkt=proj), ogr.wkbMultiPolygon)
        nf = ogr.Feature(tl.GetLayerDefn())
        nf.SetGeometry(area)
        tl.CreateFeature(nf)
        gdal.RasterizeLayer(mem, [1], tl, burn_values=[1])
        self.fmask = mem.ReadAsArray().astype(bool)
        self.frac = self.fmask.reshape(ny, f, nx, f).mean(axis=(1, 3))
        self.fshape = self.fmask.shape

        # Fine-grid population density: bilinear interpolation of the pixel densities.
        fy = (np.arange(ny * f) + 0.5) / f - 0.5
        fx = (np.arange(nx * f) + 0.5) / f - 0.5
        y0 = np.clip(np.floor(fy).astype(int), 0, ny - 1)
        x0 = np.clip(np.floor(fx).astype(int), 0, nx - 1)
        y1 = np.clip(y0 + 1, 0, ny - 1)
        x1 = np.clip(x0 + 1, 0, nx - 1)
        wy = np.clip(fy - np.floor(fy), 0, 1)[:, None]
        wx = np.clip(fx - np.floor(fx), 0, 1)[None, :]
        p = self.pd
        self.fpd = ((1 - wy) * ((1 - wx) * p[np.ix_(y0, x0)] + wx * p[np.ix_(y0, x1)]) +
                    wy * ((1 - wx) * p[np.ix_(y1, x0)] + wx * p[np.ix_(y1, x1)]))

        # DEM: elevation, slope, local relief.
        dem, dgt, _ = read_raster(dem, bbox)
        dem = np.nan_to_num(dem, nan=0.0)
        self.dem, self.dgt = dem, dgt
        lat_d = dgt[3] + dgt[5] * (np.arange(dem.shape[0]) + 0.5)
        dx_m = dgt[1] * M_PER_DEG_LON_EQ * np.cos(np.radians(lat_d))[:, None]
        dy_m = -dgt[5] * M_PER_DEG_LAT
        gy, gx = np.gradient(dem)
        self.slope = np.degrees(np.arctan(np.hypot(gx / dx_m, gy / dy_m)))
        self.relief = dem - box_mean(dem, 16)  # height above the ~3 km-window mean

        # Terrain factor on the fine grid (nearest DEM cell of each fine cell centre).
        fy_lat = fgt[3] + fgt[5] * (np.arange(self.fshape[0]) + 0.5)
        fx_lon = fgt[0] + fgt[1] * (np.arange(self.fshape[1]) + 0.5)
        di = np.clip(((fy_lat - dgt[3]) / dgt[5]).astype(int), 0, dem.shape[0] - 1)
        dj = np.clip(((fx_lon - dgt[0]) / dgt[1]).astype(int), 0, dem.shape[1] - 1)
        felev = dem[np.ix_(di, dj)]
        fslope = self.slope[np.ix_(di, dj)]
        terrain = np.clip((MAX_SLOPE_DEG - fslope) / (MAX_SLOPE_DEG - 12.0), 0.0, 1.0)
        terrain[felev > MAX_ELEV_M] = 0.0
        self.fterrain = terrain * self.fmask
        lat_f = fy_lat[:, None]
        self.fcell_km2 = (fgt[1] * M_PER_DEG_LON_EQ * np.cos(np.radians(lat_f)) / 1000.0) * \
                         (-fgt[5] * M_PER_DEG_LAT / 1000.0) * np.ones((1, self.fshape[1]))

    # -- lookups ------------------------------------------------------------------------------
    def dem_ij(self, lon, lat):
        i = int((lat - self.dgt[3]) / self.dgt[5])
        j = int((lon - self.dgt[0]) / self.dgt[1])
        return min(max(i, 0), self.dem.shape[0] - 1), min(max(j, 0), self.dem.shape[1] - 1)

    def elev(self, lon, lat):
        return float(self.dem[self.dem_ij(lon, lat)])

    def slope_at(self, lon, lat):
        return float(self.slope[self.dem_ij(lon, lat)])

    def relief_at(self, lon, lat):
        return float(self.relief[self.dem_ij(lon, lat)])

    def fine_ij(self, lon, lat):
        i = int((lat - self.fgt[3]) / self.fgt[5])
        j = int((lon - self.fgt[0]) / self.fgt[1])
        return min(max(i, 0), self.fshape[0] - 1), min(max(j, 0), self.fshape[1] - 1)

    def pd_at(self, lon, lat):
        return float(self.fpd[self.fine_ij(lon, lat)])

    def fine_cell_point(self, i, j, rng):
        lon = self.fgt[0] + self.fgt[1] * (j + rng.random())
        lat = self.fgt[3] + self.fgt[5] * (i + rng.random())
        return lon, lat

    def district_of(self, lon, lat):
        for k, d in enumerate(self.districts):
            if d.contains(lon, lat):
                return k
        best = min(range(len(self.districts)),
                   key=lambda k: (self.districts[k].boundary_distance_m(lon, lat), k))
        return best

    def inside(self, lon, lat):
        return (self.province.contains(lon, lat) and
                self.province.boundary_distance_m(lon, lat) >= BOUNDARY_MARGIN_M)


class Generator:
    """sites: the total to place (the operators' shares as in OPERATORS); nr_towns: admin units that
    get one n41 site each (where none of them exists, the nr_sites densest Viettel sites do)."""

    def __init__(self, world, seed, sites=DEMO_SITES, nr_towns=NR_TOWNS, nr_sites=2):
        self.w = world
        self.scale = sites / DEMO_SITES
        self.nr_towns, self.nr_sites = nr_towns, nr_sites
        self.rng = random.Random(seed)
        self.sites = []                 # dicts, in placement order
        self.index = SpatialIndex()     # all operators
        self.stats = {"rejected": 0}

    # -- placement primitives -----------------------------------------------------------------
    def own_sites_near(self, op, lon, lat, radius):
        out = []
        for k in self.index.near(lon, lat, radius):
            s = self.sites[k]
            if s["op"] == op and dist_m(lon, lat, s["lon"], s["lat"]) < radius:
                out.append(k)
        return out

    def spacing_ok(self, op, lon, lat, pd, host=None):
        sp = min_spacing_m(pd)
        for k in self.index.near(lon, lat, max(sp, OTHER_OP_MIN_M)):
            s = self.sites[k]
            d = dist_m(lon, lat, s["lon"], s["lat"])
            if s["op"] == op and d < sp:
                return False
            if host is None and s["op"] != op and d < OTHER_OP_MIN_M:
                return False
        return True

    def add_site(self, op, lon, lat, kind, host=None):
        w = self.w
        rng = self.rng
        if host is not None:  # another operator's tower: its position, a lower mount
            lon, lat = self.sites[host]["lon"], self.sites[host]["lat"]
        pd = w.pd_at(lon, lat)
        if host is not None:
            h0 = self.sites[host]
            kind = h0["kind"] if h0["kind"] in ("rooftop", "hilltop") else "tower"
            floor_h = 15.0 if kind == "rooftop" else 25.0
            height = max(floor_h, h0["height"] - rng.choice([3.0, 4.0, 5.0, 6.0]))
        elif kind == "auto":
            p_roof = 0.85 if pd >= 3000 else (0.45 if pd >= URBAN_PD else 0.0)
            kind = "rooftop" if rng.random() < p_roof else "tower"
            height = None
        else:
            height = None
        if height is None:
            if kind == "rooftop":
                height = round(rng.uniform(15.0, 30.0) * 2) / 2
            elif kind == "hilltop":
                height = round(rng.uniform(30.0, 45.0) * 2) / 2
            else:
                # towers: lower (monopoles) in built-up areas, taller in open country
                lo, hi = (25.0, 36.0) if pd >= URBAN_PD else (27.0, 45.0)
                height = round(rng.uniform(lo, hi) * 2) / 2
        s = dict(op=op, lon=lon, lat=lat, pd=pd, kind=kind, height=height, host=host,
                 elev=w.elev(lon, lat), relief=w.relief_at(lon, lat),
                 district=w.district_of(lon, lat))
        self.sites.append(s)
        self.index.add(len(self.sites) - 1, lon, lat)
        return len(self.sites) - 1

    def try_point(self, op, lon, lat, terrain=True):
        w = self.w
        if not w.inside(lon, lat):
            return False
        if terrain and not self.terrain_ok(lon, lat):
            return False
        return self.spacing_ok(op, lon, lat, w.pd_at(lon, lat))

    def terrain_ok(self, lon, lat):
        w = self.w
        if dist_m(lon, lat, *TAMDAO_TOWN) < TAMDAO_ZONE_M:
            return w.slope_at(lon, lat) < 30.0
        return w.elev(lon, lat) <= MAX_ELEV_M and w.slope_at(lon, lat) <= MAX_SLOPE_DEG

    # -- stages -------------------------------------------------------------------------------
    def place_tamdao(self, op):
        rng = self.rng
        for _ in range(400):
            r = 350.0 * math.sqrt(rng.random())
            a = rng.uniform(0, 2 * math.pi)
            lon = TAMDAO_TOWN[0] + r * math.sin(a) / (M_PER_DEG_LON_EQ * math.cos(math.radians(TAMDAO_TOWN[1])))
            lat = TAMDAO_TOWN[1] + r * math.cos(a) / M_PER_DEG_LAT
            if self.try_point(op, lon, lat):
                return self.add_site(op, lon, lat, "tower")
        raise RuntimeError("no site found in Tam Dao town for " + op)

    def hilltop_candidates(self):
        w = self.w
        lmax = window_max(w.dem, 6)
        cand = np.argwhere((w.dem >= lmax) & (w.relief >= 80.0) & (w.dem >= 150.0) & (w.slope < 25.0))
        out = []
        for i, j in cand.tolist():  # row-major order: deterministic
            lon = w.dgt[0] + w.dgt[1] * (j + 0.5)
            lat = w.dgt[3] + w.dgt[5] * (i + 0.5)
            if w.inside(lon, lat) and w.province.boundary_distance_m(lon, lat) > 500.0:
                out.append((lon, lat))
        return out

    def place_hilltops(self, op, n, candidates):
        rng = self.rng
        placed = 0
        # Share an existing hilltop tower of another operator half of the time.
        hosts = [k for k, s in enumerate(self.sites) if s["kind"] == "hilltop" and s["op"] != op]
        for k in hosts:
            if placed < n and rng.random() < 0.5 and self.spacing_ok(op, self.sites[k]["lon"],
                                                                     self.sites[k]["lat"], 0, host=k):
                self.add_site(op, 0, 0, "hilltop", host=k)
                placed += 1
        order = list(range(len(candidates)))
        rng.shuffle(order)
        for c in order:
            if placed >= n:
                break
            lon, lat = candidates[c]
            if self.spacing_ok(op, lon, lat, 0):
                self.add_site(op, lon, lat, "hilltop")
                placed += 1

    def place_skeleton(self, op, radius, pd_min):
        """Every populated 1 km pixel gets a site of this operator within `radius`."""
        w, rng = self.w, self.rng
        ny, nx = w.pd.shape
        f = w.FINE
        pixels = [(i, j) for i in range(ny) for j in range(nx)
                  if w.frac[i, j] >= 0.3 and w.pd[i, j] >= pd_min]
        rng.shuffle(pixels)
        for i, j in pixels:
            clon = w.pop_gt[0] + w.pop_gt[1] * (j + 0.5)
            clat = w.pop_gt[3] + w.pop_gt[5] * (i + 0.5)
            if self.own_sites_near(op, clon, clat, radius):
                continue
            block = w.fterrain[i * f:(i + 1) * f, j * f:(j + 1) * f] * \
                w.fpd[i * f:(i + 1) * f, j * f:(j + 1) * f]
            cells = [(a, b) for a in range(f) for b in range(f) if block[a, b] > 0]
            if not cells:
                continue
            wts = [float(block[a, b]) for a, b in cells]
            for _ in range(40):
                a, b = cells[_weighted_index(wts, rng)]
                lon, lat = w.fine_cell_point(i * f + a, j * f + b, rng)
                if self.try_point(op, lon, lat):
                    self.add_site(op, lon, lat, "auto")
                    break

    def place_sampled(self, op, target, cov_a, gamma, share_p):
        """Fill up to `target` sites, sampling positions from the site-density weight."""
        w, rng = self.w, self.rng
        weight = w.fterrain * w.fcell_km2 * (cov_a + (w.fpd / 1000.0) ** gamma)
        flat = weight.ravel()
        nz = np.flatnonzero(flat > 0)
        cum = np.cumsum(flat[nz]).tolist()
        total = cum[-1]
        ncols = w.fshape[1]
        count = sum(1 for s in self.sites if s["op"] == op)
        tries = 0
        while count < target:
            tries += 1
            if tries > 400 * target:
                raise RuntimeError(f"{op}: could only place {count} of {target} sites")
            k = int(nz[min(bisect.bisect_right(cum, rng.random() * total), len(nz) - 1)])
            lon, lat = w.fine_cell_point(k // ncols, k % ncols, rng)
            if share_p > 0 and rng.random() < share_p:
                host = self.pick_host(op, lon, lat)
                if host is not None:
                    self.add_site(op, 0, 0, "auto", host=host)
                    count += 1
                    continue
            if self.try_point(op, lon, lat):
                self.add_site(op, lon, lat, "auto")
                count += 1
            else:
                self.stats["rejected"] += 1

    def pick_host(self, op, lon, lat):
        """Nearest other-operator tower within 500 m that this operator may join."""
        best = None
        for k in self.index.near(lon, lat, 500.0):
            s = self.sites[k]
            if s["op"] == op or s["host"] is not None:
                continue
            d = dist_m(lon, lat, s["lon"], s["lat"])
            if d < 500.0 and (best is None or d < best[0]):
                best = (d, k)
        if best is None:
            return None
        h = self.sites[best[1]]
        if not self.spacing_ok(op, h["lon"], h["lat"], h["pd"], host=best[1]):
            return None
        return best[1]

    def run(self):
        cands = self.hilltop_candidates()
        tamdao = self.w.inside(*TAMDAO_TOWN)
        for op in OPERATORS:
            if op["tamdao"] and tamdao:
                self.place_tamdao(op["code"])
            self.place_hilltops(op["code"], round(op["hilltops"] * self.scale), cands)
            self.place_skeleton(op["code"], op["skel_r_m"], op["skel_pd"])
            self.place_sampled(op["code"], round(op["n"] * self.scale), op["cov_a"], op["gamma"], op["share_p"])
        self.number_sites()
        self.place_nr()
        self.make_cells()

    # -- ids, layers, cells -------------------------------------------------------------------
    def number_sites(self):
        for op in OPERATORS:
            mine = [k for k, s in enumerate(self.sites) if s["op"] == op["code"]]
            mine.sort(key=lambda k: (self.sites[k]["district"], -round(self.sites[k]["lat"], 6),
                                     round(self.sites[k]["lon"], 6), k))
            for n, k in enumerate(mine, 1):
                self.sites[k]["site_id"] = f"{op['code']}-{n:04d}"
        # inter-site distance of the operator around each site (mean distance to the 3 nearest
        # of its other sites, 5 km if fewer), used to plan the downtilt
        for k, s in enumerate(self.sites):
            d = sorted(dist_m(s["lon"], s["lat"], self.sites[j]["lon"], self.sites[j]["lat"])
                       for j in self.own_sites_near(s["op"], s["lon"], s["lat"], 5000.0) if j != k)
            d = (d + [5000.0, 5000.0, 5000.0])[:3]
            s["isd"] = sum(d) / 3.0

    def place_nr(self):
        """Viettel 5G (n41) on the Viettel site with the highest population density in each town;
        without those towns, on the nr_sites densest Viettel sites at least 5 km apart."""
        densest = lambda cand: max(cand, key=lambda k: (round(self.sites[k]["pd"], 3), -k))  # noqa: E731
        nr = []
        names = [p.name for p in self.w.districts]
        towns = [t for t in self.nr_towns if t in names]
        if towns:
            for dname in towns:
                d = names.index(dname)
                nr.append(densest([k for k, s in enumerate(self.sites) if s["op"] == "VT" and s["district"] == d]))
        else:
            cand = [k for k, s in enumerate(self.sites) if s["op"] == "VT"]
            while cand and len(nr) < self.nr_sites:
                best = densest(cand)
                nr.append(best)
                b = self.sites[best]
                cand = [k for k in cand if dist_m(b["lon"], b["lat"], self.sites[k]["lon"], self.sites[k]["lat"]) >= 5000.0]
        self.nr_sites = nr
        for k in nr:
            self.sites[k]["nr"] = True

    def make_cells(self):
        rng = self.rng
        self.rows = []
        opname = {o["code"]: o["name"] for o in OPERATORS}
        order = sorted(range(len(self.sites)), key=lambda k: self.sites[k]["site_id"])
        op_rank = {o["code"]: r for r, o in enumerate(OPERATORS)}
        order.sort(key=lambda k: op_rank[self.sites[k]["op"]])
        for k in order:
            s = self.sites[k]
            op = s["op"]
            urban = s["pd"] >= URBAN_PD
            rot = rng.uniform(0.0, 120.0)
            az = [int(round(rot + 120.0 * i + rng.uniform(-10.0, 10.0))) % 360 for i in range(3)]
            layers = []
            for code, tech, band, low, share in LAYERS:
                if code == "N41":
                    if s.get("nr"):
                        layers.append((code, tech, band, low))
                    continue
                if op not in share:
                    continue
                p = share[op][0] if urban else share[op][1]
                if rng.random() < p:
                    layers.append((code, tech, band, low))
            if not any(t in ("LTE",) for _, t, _, _ in layers):
                # every site has 4G (all communes have 4G): LTE 1800 where the draw missed it
                layers.append(("L18", "LTE", "B3", False))
                layers.sort(key=lambda l: [x[0] for x in LAYERS].index(l[0]))
            s["layers"] = [l[0] for l in layers]
            # Downtilt: aim the beam at ~60 % of the inter-site distance (x1.6 for the low-band
            # coverage layers) from the antenna height plus the site's height above its
            # surroundings, +1 deg margin, +1.5 deg in built-up areas (interference control).
            # Multi-band panels share one mechanical tilt per site; the NR AAU has its own.
            mech_opts = {"rooftop": [0, 1, 2, 2, 3, 4], "tower": [0, 0, 0, 1, 1, 2],
                         "hilltop": [1, 2, 3, 4]}[s["kind"]]
            h_eff = s["height"] + min(max(0.0, s["relief"]), 300.0)
            totals = []
            for code, tech, band, low in layers:
                r_m = min(max(0.6 * s["isd"], 250.0), 5000.0) * (1.6 if low else 1.0)
                totals.append(math.degrees(math.atan(h_eff / r_m)) + 1.0 + (1.5 if urban else 0.0)
                              + rng.uniform(-0.5, 0.5))
            mech_site = rng.choice(mech_opts)
            for (code, tech, band, low), total in zip(layers, totals):
                ant = self.antenna(s, tech, low)
                assert ant in ANTENNAS, ant
                mech = mech_site if tech != "NR" else rng.choice([0, 1, 2])
                mech = min(mech, max(0, int(math.floor(total - 2.0))), 4)
                mech = max(mech, min(4, int(math.ceil(total - 8.0))))
                freqs = self.carriers(op, code, rng)
                for sec in range(3):
                    elec = int(round(total - mech)) + rng.choice([-1, 0, 0, 0, 1])
                    elec = min(max(elec, 2), 8)
                    freq, bw = freqs[sec]
                    self.rows.append([
                        s["site_id"], f"{s['site_id']}-{code}-{sec + 1}", opname[op],
                        f"{s['lon']:.6f}", f"{s['lat']:.6f}", fnum(s["height"]), fnum(az[sec]),
                        fnum(mech), fnum(elec), tech, band, fnum(freq), fnum(bw),
                        fnum(tx_power_dbm(tech, bw)), ant])

    def antenna(self, s, tech, low):
        if tech == "NR":
            return "nr_mmimo_64t64r"
        if low:
            return "sector90_14dbi" if s["pd"] < 300 and s["kind"] != "rooftop" else "sector65_15dbi"
        return "sector65_17dbi" if (s["kind"] == "rooftop" or s["pd"] >= URBAN_PD) else "sector65_18dbi"

    @staticmethod
    def carriers(op, code, rng):
        """(DL centre MHz, bandwidth MHz) of the 3 sectors: GSM gets 3 different BCCH channels
        of the operator's list, UMTS/LTE/NR reuse the operator's one carrier in every cell."""
        if code in ("G09", "G18"):
            chans = (GSM900_CH if code == "G09" else GSM1800_CH)[op]
            return [(f, 0.2) for f in rng.sample(chans, 3)]
        table = {"U21": UMTS_B1, "L09": LTE_B8, "L18": LTE_B3, "L21": LTE_B1, "N41": NR_N41}[code]
        return [table[op]] * 3


def _weighted_index(wts, rng):
    x = rng.random() * sum(wts)
    acc = 0.0
    for i, v in enumerate(wts):
        acc += v
        if x < acc:
            return i
    return len(wts) - 1


def fnum(x):
    """A number with at most 2 decimals, without trailing zeros."""
    s = f"{float(x):.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


HEADER = ["site_id", "cell_id", "operator", "lon", "lat", "height_agl_m", "azimuth_deg",
          "mech_tilt_deg", "elec_tilt_deg", "tech", "band", "freq_mhz", "bandwidth_mhz",
          "tx_power_dbm", "antenna"]


def summary(gen, out):
    sites, rows, w = gen.sites, gen.rows, gen.w
    opname = {o["code"]: o["name"] for o in OPERATORS}
    n = len(sites)
    print(f"wrote {out}: {n} sites, {len(rows)} cells")
    print("sites per operator:")
    for o in OPERATORS:
        c = sum(1 for s in sites if s["op"] == o["code"])
        print(f"  {o['name']:<15} {c:5d}  ({100.0 * c / n:4.1f} %)")
    print("cells per tech/band:")
    tb = {}
    for r in rows:
        tb[(r[9], r[10])] = tb.get((r[9], r[10]), 0) + 1
    for key in sorted(tb):
        print(f"  {key[0]:<5} {key[1]:<9} {tb[key]:6d}")
    print("sites per operator and layer:")
    for o in OPERATORS:
        cnt = {}
        for s in sites:
            if s["op"] == o["code"]:
                for l in s["layers"]:
                    cnt[l] = cnt.get(l, 0) + 1
        print(f"  {o['name']:<15} " + "  ".join(f"{l[0]} {cnt[l[0]]}" for l in LAYERS if l[0] in cnt))
    print("NR sites:")
    for k in gen.nr_sites:
        s = sites[k]
        print(f"  {s['site_id']} {opname[s['op']]} {s['lon']:.6f},{s['lat']:.6f} "
              f"({w.districts[s['district']].name})")
    kinds = {}
    for s in sites:
        kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
    shared = sum(1 for s in sites if s["host"] is not None)
    print("site kinds: " + ", ".join(f"{k} {kinds[k]}" for k in sorted(kinds)) +
          f"; on another operator's tower: {shared}")
    print("sites per admin unit (population from the raster, pixel share inside the unit):")
    dpop = district_population(w)
    for d, poly in enumerate(w.districts):
        c = [sum(1 for s in sites if s["district"] == d and s["op"] == o["code"]) for o in OPERATORS]
        tot = sum(c)
        print(f"  {poly.name:<22} {tot:5d}  [" + " ".join(f"{o['code']} {x}" for o, x in zip(OPERATORS, c)) +
              f"]  pop {dpop[d]:8.0f}  people/site {dpop[d] / max(tot, 1):6.0f}")
    print(f"rejected candidate positions: {gen.stats['rejected']}")


def district_population(w):
    """Population per district by rasterising each district on the fine grid."""
    f = w.FINE
    fine_pop = np.repeat(np.repeat(w.pop, f, axis=0), f, axis=1) / (f * f)
    if w.admin is None:
        return [float((fine_pop * w.fmask).sum())]
    out = []
    ads = ogr.Open(w.admin)
    lyr = ads.GetLayer()
    for feat in lyr:
        mem = gdal.GetDriverByName("MEM").Create("", w.fshape[1], w.fshape[0], 1, gdal.GDT_Byte)
        mem.SetGeoTransform(w.fgt)
        tmp = ogr.GetDriverByName("Memory").CreateDataSource("")
        tl = tmp.CreateLayer("d", lyr.GetSpatialRef(), ogr.wkbMultiPolygon)
        nf = ogr.Feature(tl.GetLayerDefn())
        nf.SetGeometry(feat.GetGeometryRef().Clone())
        tl.CreateFeature(nf)
        gdal.RasterizeLayer(mem, [1], tl, burn_values=[1])
        out.append(float((fine_pop * mem.ReadAsArray()).sum()))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(DATA, "sites.csv"),
                    help="output CSV (default: gis_data/vinh_phuc/sites.csv)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    ap.add_argument("--aoi", default=os.path.join(DATA, "province.geojson"),
                    help="the area's outline, lon/lat polygons (default: the demo province)")
    ap.add_argument("--admin", default=os.path.join(DATA, "districts.geojson"),
                    help="its admin units, lon/lat polygons, or 'none': the area is one unit (default: the demo districts)")
    ap.add_argument("--admin-name-field", default="name", help="the units' name field (default: name)")
    ap.add_argument("--population", default=os.path.join(DATA, "population_worldpop2020_1km.tif"),
                    help="people per pixel, lon/lat raster, ~1 km (default: the demo's WorldPop clip)")
    ap.add_argument("--dem", default=os.path.join(DATA, "dem_srtm3_voidfilled.tif"),
                    help="terrain heights, lon/lat raster (default: the demo's SRTM3 clip)")
    ap.add_argument("--sites", type=int, default=DEMO_SITES,
                    help=f"sites to place, shared among the operators as in the demo (default {DEMO_SITES})")
    ap.add_argument("--nr-sites", type=int, default=2,
                    help="n41 sites where the demo's two towns are not admin units (default 2)")
    args = ap.parse_args(argv)
    admin = None if args.admin == "none" else args.admin
    world = World(args.aoi, admin, args.admin_name_field, args.population, args.dem)
    gen = Generator(world, args.seed, sites=args.sites, nr_sites=args.nr_sites)
    gen.run()
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(",".join(HEADER) + "\n")
        for r in gen.rows:
            fh.write(",".join(str(x) for x in r) + "\n")
    summary(gen, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
