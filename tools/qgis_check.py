#!/usr/bin/python3
"""Headless check that a phusong output folder opens styled in QGIS (Debian python3-qgis).

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tools/qgis_check.py OUT_DIR [--png FILE]

Loads every .tif of the folder as QGIS does (which applies the .qml beside it), checks that the
layer is valid, in the manifest's EPSG, and that the style took effect (the renderer named in the
.qml, with its classes), then renders the first layer's best-server signal over the DEM to a PNG.
Exits 1 on the first failed check.
"""
import argparse
import json
import os
import sys

from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsMapRendererParallelJob,
                       QgsMapSettings, QgsRasterLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

EXPECTED_RENDERER = {'rsrp': 'singlebandpseudocolor', 'rscp': 'singlebandpseudocolor',
                     'rxlev': 'singlebandpseudocolor', 'second_rsrp': 'singlebandpseudocolor',
                     'second_rscp': 'singlebandpseudocolor', 'second_rxlev': 'singlebandpseudocolor',
                     'sinr': 'singlebandpseudocolor', 'throughput': 'singlebandpseudocolor',
                     'overlap_6db': 'singlebandpseudocolor', 'server': 'paletted',
                     'dem': 'singlebandpseudocolor', 'population': 'singlebandpseudocolor'}


def fail(msg):
    print(f'FAIL: {msg}')
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--png', default=None)
    args = ap.parse_args()
    manifest = json.load(open(os.path.join(args.out, 'manifest.json'), encoding='utf-8'))
    epsg = manifest['grid']['epsg']
    app = QgsApplication([], False)
    app.initQgis()
    rasters = []
    for root, _, files in os.walk(args.out):
        rasters += [os.path.join(root, f) for f in sorted(files) if f.endswith('.tif')]
    layers = {}
    for path in sorted(rasters):
        name = os.path.splitext(os.path.basename(path))[0]
        layer = QgsRasterLayer(path, name)  # applies NAME.qml beside the file, as QGIS does
        if not layer.isValid():
            fail(f'{path}: not a valid raster layer for QGIS')
        if layer.crs() != QgsCoordinateReferenceSystem(f'EPSG:{epsg}'):
            fail(f'{path}: CRS {layer.crs().authid()}, expected EPSG:{epsg}')
        renderer = layer.renderer().type()
        if renderer != EXPECTED_RENDERER[name]:
            fail(f'{path}: renderer {renderer}, expected {EXPECTED_RENDERER[name]} from its .qml')
        if renderer == 'singlebandpseudocolor':
            items = layer.renderer().shader().rasterShaderFunction().colorRampItemList()
            if len(items) < 4:
                fail(f'{path}: style has {len(items)} classes')
        if renderer == 'paletted' and not layer.renderer().classes():
            fail(f'{path}: the server style has no cell labels')
        layers[os.path.relpath(path, args.out)] = layer
    print(f'{len(layers)} rasters open in QGIS with their styles, CRS EPSG:{epsg}')
    if args.png:
        signal = next(k for k in sorted(layers) if k.startswith('layers/') and os.path.basename(k) in
                      ('rsrp.tif', 'rscp.tif', 'rxlev.tif'))
        settings = QgsMapSettings()
        settings.setLayers([layers[signal], layers['dem.tif']])
        settings.setDestinationCrs(layers['dem.tif'].crs())
        settings.setExtent(layers['dem.tif'].extent())
        settings.setOutputSize(QSize(900, 880))
        settings.setBackgroundColor(QColor('white'))
        job = QgsMapRendererParallelJob(settings)
        job.start()
        job.waitForFinished()
        job.renderedImage().save(args.png, 'png')
        print(f'rendered {signal} over dem.tif to {args.png}')
    app.exitQgis()


if __name__ == '__main__':
    main()
