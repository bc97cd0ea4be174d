// The dashboard's row for tenants: what the tenant metrics count, all tenants together (a metric
// per tenant would cost per tenant and month), and beside it the warnings and errors of the last
// hours by tenant, from the functions' logs, whose lines carry a `tenant` field.
const { REGION, graph } = require('./dashboard-widgets.cjs');

/**
 * The functions that read tenant settings: publish never does; archive, while it exists.
 * @param {import('./monitoring-settings.cjs').Settings} settings
 */
const tenantFunctions = (settings) => [
  'finish',
  'callback',
  'reconcile',
  ...(settings.archive.enabled ? ['archive'] : []),
];

/**
 * A Logs Insights query: the warnings and errors of the functions that serve tenants, counted by
 * tenant and message, the most frequent first.
 * @param {import('./monitoring-settings.cjs').Settings} settings
 */
const problemsByTenant = (settings) =>
  [
    tenantFunctions(settings)
      .map((key) => `SOURCE '/aws/lambda/${settings.stackName}-${key}'`)
      .join(' | '),
    'filter level in ["WARN", "ERROR"]',
    'stats count(*) as lines by tenant, message',
    'sort lines desc',
    'limit 50',
  ].join(' | ');

/**
 * @param {import('./monitoring-settings.cjs').Settings} settings
 * @param {(name: import('./watched-metrics.cjs').CustomMetricName, label: string) => import('./dashboard-widgets.cjs').GraphRow} custom
 * @returns {import('./dashboard-widgets.cjs').Row}
 */
const tenantRow = (settings, custom) => ({
  height: 6,
  widgets: [
    [
      graph('Tenants', [
        custom('TenantUnavailable', 'work held back: tenant unusable'),
        custom('TenantCircuitOpen', 'handed back: circuit open'),
        custom('TenantLookupsThrottled', 'unknown tenant names refused unread'),
        custom('ClientCertificateExpiring', 'client certificate expiring'),
      ]),
      10,
    ],
    [
      {
        type: 'log',
        properties: {
          title: 'Warnings and errors by tenant',
          region: REGION,
          view: 'table',
          query: problemsByTenant(settings),
        },
      },
      14,
    ],
  ],
});

module.exports = { tenantRow };
