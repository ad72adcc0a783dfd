package io.batchline.model.operations;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;

/** Set the price of one content row in the catalog (the seeds' batch price update). */
public record PriceUpdateItem(
        @NotBlank @Size(max = 128) String contentId,
        @NotNull @DecimalMin("0") @Digits(integer = 15, fraction = 6) BigDecimal newPrice) implements ItemPayload {

    @Override
    public String itemKey() {
        return contentId;
    }
}
