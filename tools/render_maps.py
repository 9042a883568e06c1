#!/usr/bin/python3
"""Renders PNG maps of a phusong output folder, to look at (not kept in git).

    /usr/bin/python3 tools/render_maps.py OUT_DIR [LAYER_SLUG ...] [--to PNG_DIR]

For each layer: best-server signal in the classes of its own .qml (the usual RSRP bands >= -80,
-90, -100, -110, -120, < -120 dBm, the colours QGIS shows) over a hillshade of dem.tif, and the best-server map (a colour per cell), with the
AOI outline: OUT_DIR/aoi.geojson (written by `run` and `report`), else manifest.json's AOI input,
found from any folder (see aoi_path). Needs Debian's python3-gdal and python3-numpy.
"""
import argparse
import json
import os
import sys

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()

def qml_bands(raster):
    """(lower bound, RGB) of the DISCRETE classes of the .qml beside a raster, highest first."""
    import xml.etree.ElementTree as ET
    items = ET.parse(os.path.splitext(raster)[0] + '.qml').getroot().findall('.//colorrampshader/item')
    uppers = [float(i.get('value')) for i in items]
    colours = [tuple(int(i.get('color')[k:k + 2], 16) for k in (1, 3, 5)) for i in items]
    lowers = [-1e9] + uppers[:-1]  # a class holds the values above the previous upper bound
    return list(reversed(list(zip(lowers, colours))))


def read(path):
    ds = gdal.Open(path)
    return ds, ds.GetRasterBand(1).ReadAsArray().astype(np.float64)


def hillshade(dem):
    dy, dx = np.gradient(np.nan_to_num(dem, nan=0.0), 30.0)
    slope = np.pi / 2 - np.arctan(np.hypot(dx, dy))
    aspect = np.arctan2(-dx, dy)
    az, alt = np.radians(315), np.radians(45)
    shade = np.sin(alt) * np.sin(slope) + np.cos(alt) * np.cos(slope) * np.cos(az - aspect)
    return np.clip(shade, 0, 1)


def outline_mask(ds, polygon_path):
    """Pixels on the AOI boundary, rasterised in the grid's CRS."""
    mem = gdal.GetDriverByName('MEM').Create('', ds.RasterXSize, ds.RasterYSize, 1, gdal.GDT_Byte)
    mem.SetGeoTransform(ds.GetGeoTransform())
    mem.SetProjection(ds.GetProjection())
    src = ogr.Open(polygon_path)
    layer = src.GetLayer(0)
    gdal.RasterizeLayer(mem, [1], layer, burn_values=[1], options=['ALL_TOUCHED=TRUE'])
    inside = mem.GetRasterBand(1).ReadAsArray().astype(bool)
    edge = inside & ~(np.roll(inside, 1, 0) & np.roll(inside, -1, 0) & np.roll(inside, 1, 1) & np.roll(inside, -1, 1))
    return edge


def aoi_path(out, manifest):
    """The AOI outline to draw, whatever folder this runs from: the copy in the output folder, else
    the manifest's input path, which is relative to the folder `run` was started in: tried as it
    is, against the output folder's parent folders and against the scenario file's folder and its
    parents. None when none exists."""
    own = os.path.join(out, 'aoi.geojson')
    if os.path.exists(own):
        return own
    path = next((i['path'] for i in manifest.get('inputs', []) if i.get('role') == 'aoi'), None)
    if path is None:
        return None
    if os.path.isabs(path):
        return path if os.path.exists(path) else None
    bases = [os.getcwd()]
    for start in (os.path.abspath(out), os.path.dirname(manifest.get('scenario', {}).get('path', '') or '')):
        folder = start
        while folder and folder not in bases:
            bases.append(folder)
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    return next((os.path.join(b, path) for b in bases if os.path.exists(os.path.join(b, path))), None)


def write_png(path, rgb):
    h, w, _ = rgb.shape
    mem = gdal.GetDriverByName('MEM').Create('', w, h, 3, gdal.GDT_Byte)
    for i in range(3):
        mem.GetRasterBand(i + 1).WriteArray(rgb[:, :, i])
    gdal.GetDriverByName('PNG').CreateCopy(path, mem)
    aux = path + '.aux.xml'
    if os.path.exists(aux):
        os.remove(aux)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('layers', nargs='*')
    ap.add_argument('--to', default=None)
    args = ap.parse_args()
    to = args.to or os.path.join(args.out, 'png')
    os.makedirs(to, exist_ok=True)
    manifest = json.load(open(os.path.join(args.out, 'manifest.json'), encoding='utf-8'))
    aoi = aoi_path(args.out, manifest)
    dem_ds, dem = read(os.path.join(args.out, 'dem.tif'))
    shade = hillshade(dem)
    if aoi is None:
        print('warning: no AOI outline found (neither aoi.geojson in the output folder nor the manifest\'s '
              'AOI input); the maps have none', file=sys.stderr)
        edge = np.zeros(dem.shape, dtype=bool)
    else:
        edge = outline_mask(dem_ds, aoi)
    layers = args.layers or sorted(os.listdir(os.path.join(args.out, 'layers')))
    for slug in layers:
        folder = os.path.join(args.out, 'layers', slug)
        sig = next(f for f in ('rsrp.tif', 'rscp.tif', 'rxlev.tif') if os.path.exists(os.path.join(folder, f)))
        _, s = read(os.path.join(folder, sig))
        rgb = np.repeat((90 + 120 * shade)[:, :, None], 3, axis=2)
        for lo, colour in reversed(qml_bands(os.path.join(folder, sig))):
            m = np.isfinite(s) & (s > lo)
            for i in range(3):
                rgb[:, :, i][m] = 0.75 * colour[i] + 0.25 * rgb[:, :, i][m]
        rgb[edge] = (0, 0, 0)
        write_png(os.path.join(to, f'{slug}_{sig[:-4]}.png'), rgb.astype(np.uint8))
        _, server = read(os.path.join(folder, 'server.tif'))
        rng = np.random.default_rng(7)
        palette = rng.integers(40, 255, size=(int(np.nanmax(server)) + 2, 3))
        srv = np.where(server >= 0, server, -1).astype(np.int64)
        rgb2 = np.where((srv >= 0)[:, :, None], palette[np.maximum(srv, 0)], 255).astype(np.float64)
        rgb2 = rgb2 * (0.6 + 0.4 * shade[:, :, None])
        rgb2[edge] = (0, 0, 0)
        write_png(os.path.join(to, f'{slug}_server.png'), rgb2.astype(np.uint8))
        print(os.path.join(to, f'{slug}_{sig[:-4]}.png'))


if __name__ == '__main__':
    main()
