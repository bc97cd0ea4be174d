// The part of CloudWatch's dashboard body structure that infra/dashboard.cjs draws with, typed so
// that a widget of the wrong shape fails `npm run typecheck`, and the helpers that lay widgets out.
// The body is JSON in an Fn::Sub, so it names the stack's resources as ${LogicalId}.

/** @typedef {'Sum' | 'Average' | 'Maximum' | 'Minimum' | 'SampleCount' | `p${number}`} Statistic */
/** @typedef {{ stat: Statistic, label: string }} RowOptions */
/** @typedef {{ expression: string, id: string }} Expression */

/**
 * One line of a graph: a metric (namespace, name, then each dimension's name and value), or a
 * metric math expression.
 * @typedef {[string, string, ...string[], RowOptions] | [Expression]} GraphRow
 */

/**
 * @typedef {{
 *   title: string,
 *   region: string,
 *   view: 'timeSeries',
 *   period: number,
 *   stacked?: boolean,
 *   yAxis: { left: { min: number } },
 *   metrics: GraphRow[],
 *   annotations?: { horizontal: { label: string, value: number }[] },
 * }} GraphProperties
 */

/**
 * A CloudWatch Logs Insights query over log groups (`SOURCE '…' | …` in `query`), as a table.
 * @typedef {{ title: string, region: string, view: 'table', query: string }} LogProperties
 */

/**
 * @typedef {{ type: 'metric', properties: GraphProperties }
 *   | { type: 'alarm', properties: { title: string, alarms: string[] } }
 *   | { type: 'log', properties: LogProperties }
 *   | { type: 'text', properties: { markdown: string } }} Widget
 */

/** @typedef {Widget & { x: number, y: number, width: number, height: number }} PlacedWidget */

/**
 * A row of the dashboard: each widget with its width, all `height` high.
 * @typedef {{ height: number, widgets: [Widget, number][] }} Row
 */

/**
 * What Fn::Sub replaces: a resource's Ref or attribute, a pseudo parameter.
 * @param {string} logicalId
 */
const ref = (logicalId) => `\${${logicalId}}`;
/**
 * @param {string} logicalId
 * @param {string} attribute
 */
const att = (logicalId, attribute) => ref(`${logicalId}.${attribute}`);
const REGION = ref('AWS::Region');

/**
 * A dimension's value as Fn::Sub writes it.
 * @param {import('./watched-metrics.cjs').Dimension['Value']} value
 */
const substituted = (value) => {
  if (typeof value === 'string') return value;
  if ('Ref' in value) return ref(value.Ref);
  return att(...value['Fn::GetAtt']);
};

/**
 * The line of a graph that draws `metric` by `stat`.
 * @param {import('./watched-metrics.cjs').Metric} metric
 * @param {Statistic} stat
 * @param {string} label
 * @returns {GraphRow}
 */
const graphRow = ({ namespace, name, dimensions }, stat, label) => [
  namespace,
  name,
  ...dimensions.flatMap((dimension) => [dimension.Name, substituted(dimension.Value)]),
  { stat, label },
];

/**
 * A horizontal line across a graph, at a threshold, say.
 * @param {string} label
 * @param {number} value
 */
const line = (label, value) => ({ horizontal: [{ label, value }] });

/**
 * A time series graph in the stack's region, by five minutes unless `options` says otherwise.
 * @param {string} title
 * @param {GraphRow[]} metrics
 * @param {Partial<GraphProperties>} [options]
 * @returns {Widget}
 */
const graph = (title, metrics, options = {}) => ({
  type: 'metric',
  properties: {
    title,
    region: REGION,
    view: 'timeSeries',
    period: 300,
    yAxis: { left: { min: 0 } },
    metrics,
    ...options,
  },
});

/**
 * Lays rows out on the dashboard's 24-column grid, top to bottom, each row's widgets left to right.
 * @param {Row[]} rows
 * @returns {PlacedWidget[]}
 */
const layout = (rows) => {
  let y = 0;
  return rows.flatMap(({ height, widgets }) => {
    let x = 0;
    const placed = widgets.map(([widget, width]) => {
      const at = { ...widget, x, y, width, height };
      x += width;
      return at;
    });
    y += height;
    return placed;
  });
};

module.exports = { REGION, att, graph, graphRow, layout, line, ref };
