import { describe, expect, it } from 'vitest';
import {
  COLD_START_METRIC,
  METRICS,
  METRICS_NAMESPACE,
  SERVICE_DIMENSION,
} from '../../lib/metrics-catalogue.ts';
import { alarmsOf, packagedTemplates, placeholder } from '../support/alarm-templates.ts';
import { type CfnTemplate, resource } from '../support/cloudformation.ts';

const templates = packagedTemplates(['default', 'noArchive']);

const FUNCTIONS = ['Finish', 'Callback', 'Reconcile', 'Publish', 'Archive'] as const;

/** The metrics the functions write (lib/metrics-catalogue.ts) and Powertools' ColdStart. */
const CUSTOM_METRICS: readonly string[] = [...Object.keys(METRICS), COLD_START_METRIC];

interface MetricRow {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

interface DashboardWidget {
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly region?: string;
    readonly alarms?: string[];
    readonly metrics?: unknown[][];
    readonly title?: string;
    readonly query?: string;
  };
}

const dashboardOf = (template: CfnTemplate) => {
  const body = resource(template, 'Dashboard').Properties.DashboardBody as { 'Fn::Sub': string };
  const text = body['Fn::Sub'];
  const widgets = (JSON.parse(text) as { widgets: DashboardWidget[] }).widgets;
  const rows: MetricRow[] = widgets.flatMap((widget) =>
    (widget.properties.metrics ?? [])
      .filter((row) => typeof row[0] === 'string')
      .map((row) => {
        const strings = row.filter((item): item is string => typeof item === 'string');
        const [namespace = '', name = '', ...pairs] = strings;
        const dimensions: Record<string, string> = {};
        for (let i = 0; i + 1 < pairs.length; i += 2)
          dimensions[pairs[i] ?? ''] = pairs[i + 1] ?? '';
        return { namespace, name, dimensions };
      }),
  );
  const substitutions = [...text.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1] ?? '');
  return { text, widgets, rows, substitutions };
};

describe('the dashboard', () => {
  it("is valid JSON on a 24-column grid, each graph in the stack's region", () => {
    const { widgets } = dashboardOf(templates.default);
    expect(widgets.length).toBeGreaterThan(10);
    for (const widget of widgets) {
      expect(widget.x + widget.width).toBeLessThanOrEqual(24);
      if (widget.type === 'metric')
        expect(widget.properties.region).toBe(placeholder('AWS::Region'));
    }
    expect(resource(templates.default, 'Dashboard').Properties.DashboardName).toBe(
      'signinghub-finish-test',
    );
  });

  it('names only resources of the stack and pseudo parameters', () => {
    const { default: template } = templates;
    const { substitutions } = dashboardOf(template);
    expect(substitutions.length).toBeGreaterThan(0);
    for (const substitution of substitutions) {
      const [logicalId = '', attribute] = substitution.split('.');
      if (logicalId.startsWith('AWS::')) expect(['AWS::Region']).toContain(logicalId);
      else {
        expect(template.Resources[logicalId], substitution).toBeDefined();
        expect([undefined, 'Arn', 'QueueName']).toContain(attribute);
      }
    }
  });

  it('shows the state of every alarm first', () => {
    const { default: template } = templates;
    const [first] = dashboardOf(template).widgets;
    expect(first?.type).toBe('alarm');
    expect(first?.y).toBe(0);
    expect([...(first?.properties.alarms ?? [])].sort()).toEqual(
      Object.keys(alarmsOf(template))
        .map((id) => placeholder(`${id}.Arn`))
        .sort(),
    );
  });

  it('draws the queues, the dead letters, every function and the callback from the real resources', () => {
    const { rows } = dashboardOf(templates.default);
    const has = (namespace: string, name: string, dimensions: Record<string, string>) =>
      expect(rows, `${namespace} ${name} ${JSON.stringify(dimensions)}`).toContainEqual({
        namespace,
        name,
        dimensions,
      });
    const queueName = (id: string) => ({ QueueName: placeholder(`${id}.QueueName`) });
    has('AWS/SQS', 'ApproximateNumberOfMessagesVisible', queueName('SigningEventsQueue'));
    has('AWS/SQS', 'ApproximateAgeOfOldestMessage', queueName('SigningEventsQueue'));
    has('AWS/SQS', 'ApproximateNumberOfMessagesVisible', queueName('SigningEventsDeadLetterQueue'));
    has(
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      queueName('CompletionEventsDeadLetterQueue'),
    );
    has('AWS/SQS', 'ApproximateNumberOfMessagesVisible', queueName('ArchiveDeadLetterQueue'));
    for (const metric of [
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesNotVisible',
    ]) {
      has('AWS/SQS', metric, queueName('ArchiveQueue'));
    }
    for (const name of FUNCTIONS) {
      for (const metric of ['Errors', 'Throttles', 'Duration']) {
        has('AWS/Lambda', metric, { FunctionName: placeholder(`${name}LambdaFunction`) });
      }
    }
    has('AWS/Lambda', 'IteratorAge', { FunctionName: placeholder('PublishLambdaFunction') });
    has('AWS/Lambda', 'ConcurrentExecutions', {
      FunctionName: placeholder('FinishLambdaFunction'),
    });
    has('AWS/ApiGateway', '5xx', { ApiId: placeholder('HttpApi'), Stage: '$default' });
  });

  it("draws the functions' own metrics, by their contract names, under this stage's service", () => {
    const { rows, text } = dashboardOf(templates.default);
    const custom = rows.filter((row) => row.namespace === METRICS_NAMESPACE);
    for (const row of custom) {
      expect(CUSTOM_METRICS).toContain(row.name);
      expect(row.dimensions).toEqual({ [SERVICE_DIMENSION]: 'signinghub-finish-test' });
    }
    const drawn = new Set(custom.map((row) => row.name));
    for (const name of Object.keys(METRICS)) expect(drawn, name).toContain(name);
    // ColdStart carries function_name too (Powertools): a search finds it.
    expect(text).toContain(
      `SEARCH('Namespace=\\"${METRICS_NAMESPACE}\\" MetricName=\\"${COLD_START_METRIC}\\" ${SERVICE_DIMENSION}=\\"signinghub-finish-test\\"'`,
    );
  });

  it('draws what the tenant metrics count beside a count of warnings and errors by tenant from the logs', () => {
    const { widgets } = dashboardOf(templates.default);
    const tenants = widgets.find((widget) => widget.properties.title === 'Tenants');
    const names = (tenants?.properties.metrics ?? []).map((row) => row[1]);
    expect(names).toEqual(expect.arrayContaining(['TenantUnavailable', 'TenantCircuitOpen']));
    const logs = widgets.find((widget) => widget.type === 'log');
    expect(logs?.properties.region).toBe(placeholder('AWS::Region'));
    const query = logs?.properties.query ?? '';
    // The functions that serve tenants, by their log groups; publish serves none.
    const sources = [...query.matchAll(/SOURCE '([^']+)'/g)].map((match) => match[1]);
    expect(sources).toEqual(
      ['finish', 'callback', 'reconcile', 'archive'].map(
        (key) => `/aws/lambda/signinghub-finish-test-${key}`,
      ),
    );
    expect(query).toContain('filter level in ["WARN", "ERROR"]');
    expect(query).toMatch(/\| stats count\(\*\) as lines by tenant\b/);
    // One row of the two, below the alarms.
    expect(tenants?.y).toBe(logs?.y);
    expect(tenants?.y).toBeGreaterThan(0);
  });
});

describe("the dashboard's archive", () => {
  it('draws what became of the packages, the documents and bytes stored, and the queue', () => {
    const { widgets } = dashboardOf(templates.default);
    const archive = widgets.filter((widget) => widget.properties.title?.startsWith('Archive'));
    const names = archive.flatMap((widget) =>
      (widget.properties.metrics ?? []).map((row) => row[1]),
    );
    expect(names).toEqual(
      expect.arrayContaining([
        'PackageArchived',
        'ArchiveFailed',
        'DocumentsArchived',
        'ArchiveBytes',
        'ApproximateAgeOfOldestMessage',
      ]),
    );
    // One row, below the tenants'.
    const tenants = widgets.find((widget) => widget.properties.title === 'Tenants');
    expect(new Set(archive.map((widget) => widget.y)).size).toBe(1);
    expect(archive[0]?.y).toBeGreaterThan(tenants?.y ?? Number.POSITIVE_INFINITY);
  });

  it('is left out with the archive, as are its function and queues', () => {
    const { text, rows, widgets } = dashboardOf(templates.noArchive);
    expect(text).not.toMatch(/archive/i);
    expect(rows.length).toBeGreaterThan(0);
    const logs = widgets.find((widget) => widget.type === 'log');
    expect(logs?.properties.query).toContain(
      "SOURCE '/aws/lambda/signinghub-finish-test-reconcile'",
    );
  });
});
