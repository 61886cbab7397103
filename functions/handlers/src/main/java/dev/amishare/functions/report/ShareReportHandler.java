package dev.amishare.functions.report;

import dev.amishare.functions.common.AwsClients;
import dev.amishare.functions.common.LogContext;
import dev.amishare.functions.common.StageHandler;

/** Lambda entry point of the "write share report" stage, the last of the workflow. */
public final class ShareReportHandler extends StageHandler<ShareReportInput, ShareSummary> {

    public ShareReportHandler() {
        this(new ShareReportService(AwsClients.shareStore(), AwsClients.shareLedger()));
    }

    public ShareReportHandler(ShareReportService service) {
        super(ShareReportInput.class, in -> new LogContext.Fields(in.imageId(), null, in.executionId()),
                service::report);
    }
}
