import { LogFormatter, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

/**
 * Powertools' log line without what every line of a function's log stream repeats and an
 * operator never reads there: `function_arn`, `function_memory_size` (the log group names the
 * function; Lambda's REPORT line gives its memory), `sampling_rate` (a setting of the stage), and
 * `cold_start` but on the first invocation of an instance. What stays: level, message,
 * timestamp, service, the function's name and the invocation's request id (to find the
 * invocation's other lines), the X-Ray trace and Lambda's tenant id when there are, then the
 * line's own keys. CloudWatch Logs bills every byte: this is about 150 bytes less per line.
 */
export class OperatorLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        function_name: context?.functionName,
        function_request_id: context?.awsRequestId,
        cold_start: context?.coldStart === true ? true : undefined,
        xray_trace_id: attributes.xRayTraceId,
        tenant_id: context?.tenantId,
      },
    }).addAttributes(additional);
  }
}
