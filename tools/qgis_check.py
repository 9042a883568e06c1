#!/usr/bin/python3
"""Headless check that a phusong output folder opens styled in QGIS (Debian python3-qgis).

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tools/qgis_check.py OUT_DIR [--png FILE] [--project-png FILE]
        [--zoom-png FILE]

1. Rasters on their own: loads every .tif of the folder as QGIS does when a file is opened
   (which applies the .qml beside it), checks that the layer is valid, in the manifest's EPSG,
   and that the style took effect (the renderer named in the .qml, with its classes); --png
   renders the first layer's best-server signal over the DEM.
2. The project (when OUT_DIR/coverage.qgs exists): opens it with QgsProject, checks that it
   holds every .tif and .geojson of the folder once, through a relative path, each layer valid,
   rasters in the grid's EPSG and vectors in EPSG:4326, vectors with the feature count of their
   file, every renderer the one of the .qml beside the file with as many classes; --project-png
   renders the layers checked in the layer tree, in tree order, over the grid's extent;
   --zoom-png the same over 4 km around the rank-1 candidate (the cells' sectors readable).
3. What a planner sees when the project opens: exactly the outline, the ranked candidates (when
   the plan ran), the sites and cells and the best-of-operators coverage class (LTE, else NR,
   UMTS, GSM) are checked, each styled (the class raster paletted, the vectors rule-based); the
   cell layer draws a sector rotated by each cell's azimuth; the candidates' labels fall on the
   top ranks only (every labelled feature has a rank ≤ 20, and ranks 1–20 are labelled).
Exits 1 on the first failed check.
"""
import argparse
import json
import os
import sys
import time
import xml.etree.ElementTree as ET

from qgis.core import (NULL, QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsExpression,
                       QgsExpressionContext, QgsExpressionContextUtils, QgsMapRendererParallelJob,
                       QgsMapSettings, QgsProject, QgsRasterLayer, QgsRectangle, QgsSymbolLayer)
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


def qml_style(path):
    """(renderer type, number of classes) of the .qml beside a data file, or (None, 0)."""
    qml = os.path.splitext(path)[0] + '.qml'
    if not os.path.exists(qml):
        return None, 0
    root = ET.parse(qml).getroot()
    r = root.find('.//rasterrenderer')
    if r is not None:
        return r.get('type'), len(r.findall('.//item')) + len(r.findall('.//paletteEntry'))
    r = root.find('.//renderer-v2')
    if r is not None:
        n = len(r.findall('./categories/category')) or len(r.findall('./ranges/range')) or \
            len(r.findall('./rules/rule'))
        return r.get('type'), n
    return None, 0


def renderer_classes(layer):
    r = layer.renderer()
    t = r.type()
    if t == 'singlebandpseudocolor':
        return len(r.shader().rasterShaderFunction().colorRampItemList())
    if t == 'paletted':
        return len(r.classes())
    if t == 'categorizedSymbol':
        return len(r.categories())
    if t == 'graduatedSymbol':
        return len(r.ranges())
    if t == 'RuleRenderer':
        return len(r.rootRule().children())
    return 0


def render(layers, extent, crs, png, size=(900, 880)):
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(crs)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(*size))
    settings.setBackgroundColor(QColor('white'))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(png, 'png')


def check_rasters(out, epsg, png):
    rasters = []
    for root, _, files in os.walk(out):
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
        expected = EXPECTED_RENDERER.get(name) or qml_style(path)[0]
        if renderer != expected:
            fail(f'{path}: renderer {renderer}, expected {expected} from its .qml')
        if renderer == 'singlebandpseudocolor' and renderer_classes(layer) < 4:
            fail(f'{path}: style has {renderer_classes(layer)} classes')
        if renderer == 'paletted' and not layer.renderer().classes():
            fail(f'{path}: the server style has no cell labels')
        layers[os.path.relpath(path, out)] = layer
    print(f'{len(layers)} rasters open in QGIS with their styles, CRS EPSG:{epsg}')
    if png:
        signal = next(k for k in sorted(layers) if k.startswith('layers/') and os.path.basename(k) in
                      ('rsrp.tif', 'rscp.tif', 'rxlev.tif'))
        render([layers[signal], layers['dem.tif']], layers['dem.tif'].extent(), layers['dem.tif'].crs(), png)
        print(f'rendered {signal} over dem.tif to {png}')


def check_project(out, epsg, png, zoom_png=None):
    path = os.path.join(out, 'coverage.qgs')
    text = open(path, encoding='utf-8').read()
    for ds in ET.fromstring(text.split('\n', 1)[1]).iter('datasource'):
        if not ds.text.startswith('./'):
            fail(f'{path}: data source {ds.text} is not relative to the project')
    project = QgsProject.instance()
    if not project.read(path):
        fail(f'{path}: QGIS cannot read the project: {project.error()}')
    expected = set()
    for root, _, files in os.walk(out):
        expected |= {os.path.relpath(os.path.join(root, f), out) for f in files
                     if f.endswith('.tif') or f.endswith('.geojson')}
    seen = set()
    vectors = 0
    for layer in project.mapLayers().values():
        source = layer.source().split('|')[0]
        rel = os.path.relpath(os.path.realpath(source), os.path.realpath(out))
        if rel in seen:
            fail(f'{rel}: twice in the project')
        seen.add(rel)
        if not layer.isValid():
            fail(f'{rel}: not a valid layer in the project')
        is_raster = isinstance(layer, QgsRasterLayer)
        want_crs = f'EPSG:{epsg}' if is_raster else 'EPSG:4326'
        if layer.crs().authid() != want_crs:
            fail(f'{rel}: CRS {layer.crs().authid()}, expected {want_crs}')
        want_renderer, want_classes = qml_style(os.path.join(out, rel))
        renderer = layer.renderer().type()
        if want_renderer is not None and renderer != want_renderer:
            fail(f'{rel}: renderer {renderer} in the project, the .qml beside it has {want_renderer}')
        if want_classes and renderer_classes(layer) != want_classes:
            fail(f'{rel}: {renderer_classes(layer)} classes in the project, {want_classes} in its .qml')
        if not is_raster:
            vectors += 1
            n = len(json.load(open(os.path.join(out, rel), encoding='utf-8'))['features'])
            if layer.featureCount() != n:
                fail(f'{rel}: {layer.featureCount()} features in QGIS, {n} in the file')
    if seen != expected:
        fail(f'{path}: missing {sorted(expected - seen)}, unexpected {sorted(seen - expected)}')
    if project.crs().authid() != f'EPSG:{epsg}':
        fail(f'{path}: project CRS {project.crs().authid() or "(none)"}, expected EPSG:{epsg}')
    nodes = project.layerTreeRoot().findLayers()
    for n in nodes:
        if n.layer() is None:
            fail(f'{path}: layer tree entry {n.name()} ({n.layerId()}) has no layer')
    if len(nodes) != len(seen):
        fail(f'{path}: {len(nodes)} entries in the layer tree, {len(seen)} layers')
    visible = [n.layer() for n in nodes if n.isVisible()]
    check_planner_view(out, path, project, visible)
    print(f'coverage.qgs: {len(seen)} layers ({vectors} vector) valid, styled as their .qml, '
          f'rasters EPSG:{epsg}, vectors EPSG:4326; visible: {", ".join(l.name() for l in visible)}')
    if png:
        dem = next((l for l in project.mapLayers().values() if l.source().endswith('dem.tif')), None)
        extent = dem.extent() if dem else QgsRectangle()
        render(visible, extent, QgsCoordinateReferenceSystem(f'EPSG:{epsg}'), png)
        print(f'rendered the project\'s visible layers to {png}')
    if zoom_png:
        render_zoom(out, project, visible, epsg, zoom_png)


def render_zoom(out, project, visible, epsg, png):
    """The visible layers over 4 km × 4 km around the rank-1 candidate (or the grid's centre)."""
    crs = QgsCoordinateReferenceSystem(f'EPSG:{epsg}')
    cand = next((l for l in visible if relative_source(out, l) == 'plan/candidates.geojson'), None)
    first = next((f for f in cand.getFeatures() if f['rank'] == 1), None) if cand else None
    if first is not None:
        to_grid = QgsCoordinateTransform(cand.crs(), crs, project)
        centre = to_grid.transform(first.geometry().asPoint())
    else:
        dem = next(l for l in project.mapLayers().values() if l.source().endswith('dem.tif'))
        centre = dem.extent().center()
    extent = QgsRectangle(centre.x() - 2000, centre.y() - 2000, centre.x() + 2000, centre.y() + 2000)
    render(visible, extent, crs, png, size=(900, 900))
    print(f'rendered the project\'s visible layers around the rank-1 candidate to {png}')


def relative_source(out, layer):
    return os.path.relpath(os.path.realpath(layer.source().split('|')[0]), os.path.realpath(out))


def check_planner_view(out, path, project, visible):
    """The layers visible at open and their styles, the cell layer, the candidates' labels."""
    headline = next((f'analysis/best_of_operators_{t}_class.tif' for t in ('lte', 'nr', 'umts', 'gsm')
                     if os.path.exists(os.path.join(out, f'analysis/best_of_operators_{t}_class.tif'))), None)
    if headline is None:
        fail(f'{out}: no best-of-operators coverage class raster')
    want = {'aoi.geojson', 'analysis/cells.geojson', headline}
    if os.path.exists(os.path.join(out, 'plan/candidates.geojson')):
        want.add('plan/candidates.geojson')
    seen = {relative_source(out, l): l for l in visible}
    if set(seen) != want:
        fail(f'{path}: visible at open {sorted(seen)}, expected {sorted(want)}')
    if seen[headline].renderer().type() != 'paletted' or len(seen[headline].renderer().classes()) != 3:
        fail(f'{headline}: not styled as the three coverage classes')
    cells = seen['analysis/cells.geojson']
    if cells.geometryType() != 0 or cells.renderer().type() != 'RuleRenderer':  # 0: point
        fail('analysis/cells.geojson: expected points with a rule-based style')
    for rule in cells.renderer().rootRule().children():
        angle = rule.symbol().symbolLayer(0).dataDefinedProperties().property(QgsSymbolLayer.PropertyAngle)
        if not angle.isActive() or 'azimuth_deg' not in angle.expressionString():
            fail(f'analysis/cells.geojson: rule {rule.label()} does not turn its sector by azimuth_deg')
    if cells.featureCount() == 0:
        fail('analysis/cells.geojson: no cells')
    gaps = next((l for l in project.mapLayers().values() if relative_source(out, l) == 'analysis/gaps.geojson'), None)
    if gaps is not None:  # a rule per view, the headline view's on
        if gaps.renderer().type() != 'RuleRenderer':
            fail('analysis/gaps.geojson: expected a rule per view')
        on = [r.label() for r in gaps.renderer().rootRule().children() if r.active()]
        if len(on) != 1 or 'all operators' not in on[0]:
            fail(f'analysis/gaps.geojson: views on at open {on}, expected the best-of-operators view only')
    if 'plan/candidates.geojson' not in seen:
        print(f'planner view: {", ".join(sorted(seen))} visible; no plan')
        return
    cand = seen['plan/candidates.geojson']
    if cand.renderer().type() != 'RuleRenderer':
        fail('plan/candidates.geojson: expected a rule-based style')
    labeling = cand.labeling()
    if not cand.labelsEnabled() or labeling is None or labeling.type() != 'rule-based':
        fail('plan/candidates.geojson: expected rule-based labels')
    rules = [r for r in labeling.rootRule().children() if r.active()]
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(cand))
    labelled = []
    ranks = []
    for f in cand.getFeatures():
        context.setFeature(f)
        rank = f['rank']
        if rank is not None and rank != NULL:
            ranks.append(rank)
        if any(QgsExpression(r.filterExpression()).evaluate(context) for r in rules):
            labelled.append(rank)
    top = [r for r in ranks if r <= 20]
    if any(r is None or r == NULL or r > 20 for r in labelled) or sorted(labelled) != sorted(top):
        fail(f'plan/candidates.geojson: labels on ranks {sorted(labelled)[:30]}, expected exactly ranks 1-20')
    print(f'planner view: {", ".join(sorted(seen))} visible and styled; {cells.featureCount()} cells as sectors '
          f'by azimuth; labels on {len(labelled)} of {len(ranks)} ranked candidates (ranks 1-{max(top or [0])})')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--png', default=None, help='render the first signal raster over the DEM')
    ap.add_argument('--project-png', default=None, help='render the visible layers of coverage.qgs')
    ap.add_argument('--zoom-png', default=None,
                    help='render the visible layers of coverage.qgs over 4 km around the rank-1 candidate')
    args = ap.parse_args()
    manifest = json.load(open(os.path.join(args.out, 'manifest.json'), encoding='utf-8'))
    epsg = manifest['grid']['epsg']
    app = QgsApplication([], False)
    app.initQgis()
    t0 = time.monotonic()
    check_rasters(args.out, epsg, args.png)
    t1 = time.monotonic()
    if os.path.exists(os.path.join(args.out, 'coverage.qgs')):
        check_project(args.out, epsg, args.project_png, args.zoom_png)
    elif args.project_png:
        fail(f'{args.out}: no coverage.qgs')
    print(f'checks took {t1 - t0:.1f} s (rasters) + {time.monotonic() - t1:.1f} s (project)')
    app.exitQgis()


if __name__ == '__main__':
    main()
