import { LogFormatter, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

export interface OperatorLogFormatterOptions {
  /**
   * Whether each line names its function. In Lambda the log group does; where several functions
   * share one output (serverless-offline, npm start), a line must say whose it is.
   */
  readonly functionName: boolean;
}

/**
 * Powertools' log line without what every line of a function's log stream repeats and an
 * operator never reads there: `function_arn`, `function_name` and `function_memory_size` (the log
 * group names the function; Lambda's REPORT line gives its memory), `sampling_rate` (a setting of
 * the stage), and `cold_start` but on the first invocation of an instance. What stays: level,
 * message, timestamp, service, the invocation's request id (to find the invocation's other
 * lines), the X-Ray trace and Lambda's tenant id when there are, then the line's own keys.
 * CloudWatch Logs bills every byte: this is about 200 bytes less per line.
 */
export class OperatorLogFormatter extends LogFormatter {
  readonly #functionName: boolean;

  constructor({ functionName }: OperatorLogFormatterOptions) {
    super();
    this.#functionName = functionName;
  }

  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        function_name: this.#functionName ? context?.functionName : undefined,
        function_request_id: context?.awsRequestId,
        cold_start: context?.coldStart === true ? true : undefined,
        xray_trace_id: attributes.xRayTraceId,
        tenant_id: context?.tenantId,
      },
    }).addAttributes(additional);
  }
}
