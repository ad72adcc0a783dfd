package io.batchline.api.problem;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * Tomcat's last word on a failed request, as problem+json instead of its HTML page. It
 * speaks only when nothing else did: for requests Tomcat refuses before any servlet sees
 * them (a request target with invalid percent-encoding, a NUL or a raw non-ASCII byte, an
 * oversized or malformed header) and for errors no error page answered. Never shows the
 * exception or the server's version. Public with a no-argument constructor: the host
 * creates it from its class name.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding("utf-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body(status));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response was taken over meanwhile: nothing left to tell
        }
    }

    static String body(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        String type = status >= 500 ? "internal" : "bad-request";
        String detail = status >= 500 ? "an unexpected error occurred; it has been logged"
                : "the request is not valid HTTP this server accepts (request line, percent-encoding or headers)";
        return "{\"type\":\"" + Problems.TYPE_BASE + type + "\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\"}";
    }
}
