package io.batchline.api.submission;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.api.problem.ItemViolation;
import io.batchline.model.operations.Operations;
import jakarta.validation.Validation;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ItemValidatorTests {

    private final ItemValidator validator = new ItemValidator(Validation.buildDefaultValidatorFactory().getValidator());

    private static JsonNode json(String text) {
        return ItemValidator.STRICT.readTree(text);
    }

    @Test
    void acceptsValidPriceUpdateAndExposesItsKey() {
        var checked = validator.check(Operations.CONTENT_UPDATE_PRICE, 0, json("{\"contentId\":\"c-1\",\"newPrice\":100}"));
        assertThat(checked.valid()).isTrue();
        assertThat(checked.payload().itemKey()).isEqualTo("c-1");
    }

    @Test
    void namesHttpCallHeaderAndStatusFieldsAsClientsWriteThem() {
        var checked = validator.check(Operations.HTTP_CALL, 2, json("""
                {"method":"GET","url":"https://api.example.com/","headers":{"Host":"internal","X-A":"a\\nb"},
                 "expectStatus":200}"""));
        assertThat(checked.violations()).extracting(ItemViolation::field).containsExactly("headers[Host]", "headers[X-A]");
        assertThat(validator.check(Operations.HTTP_CALL, 0, json("""
                {"method":"GET","url":"https://api.example.com/","expectStatus":[200,1000]}""")).violations())
                .extracting(ItemViolation::field).containsExactly("expectStatus[1]");
        var single = validator.check(Operations.HTTP_CALL, 0, json("{\"method\":\"GET\",\"url\":\"https://a.example.com/\",\"expectStatus\":204}"));
        assertThat(single.valid()).isTrue();
        assertThat(single.payload().expectStatus()).containsExactly(204);
        var tooLarge = validator.check(Operations.HTTP_CALL, 4, json("{\"method\":\"POST\",\"url\":\"https://a.example.com/\",\"body\":\""
                + "x".repeat(io.batchline.model.operations.HttpCallItem.MAX_BODY_CHARS + 1) + "\"}"));
        assertThat(tooLarge.violations()).extracting(ItemViolation::field).containsExactly("body");
    }

    @Test
    void namesIndexAndFieldOfConstraintViolation() {
        var checked = validator.check(Operations.CONTENT_UPDATE_PRICE, 7, json("{\"contentId\":\"c-1\",\"newPrice\":-5}"));
        assertThat(checked.violations()).singleElement().satisfies(v -> {
            assertThat(v.index()).isEqualTo(7);
            assertThat(v.field()).isEqualTo("newPrice");
            assertThat(v.message()).contains("greater than or equal to 0");
        });
    }

    @Test
    void namesFieldOfWrongType() {
        var checked = validator.check(Operations.CONTENT_UPDATE_PRICE, 2, json("{\"contentId\":\"c-1\",\"newPrice\":\"cheap\"}"));
        assertThat(checked.violations()).containsExactly(new ItemViolation(2, "newPrice", "value 'cheap' is not a number"));
    }

    @Test
    void refusesUnknownFieldOfStrictOperation() {
        var checked = validator.check(Operations.CONTENT_UPDATE_PRICE, 3, json("{\"contentId\":\"c\",\"newPrice\":1,\"colour\":\"red\"}"));
        assertThat(checked.violations()).containsExactly(new ItemViolation(3, "colour", "unknown field"));
    }

    @Test
    void noopKeepsUnknownFields() {
        assertThat(validator.check(Operations.NOOP, 0, json("{\"anything\":[1,2,3]}")).valid()).isTrue();
    }

    @Test
    void refusesItemThatIsNotAnObject() {
        assertThat(validator.check(Operations.NOOP, 4, json("[1]")).violations())
                .containsExactly(new ItemViolation(4, null, "must be a JSON object"));
    }

    @Test
    void reportsMissingRequiredFields() {
        var checked = validator.check(Operations.USER_CREATE, 0, json("{\"email\":\"a@b.io\"}"));
        assertThat(checked.violations()).extracting(ItemViolation::field).containsExactlyInAnyOrder("name", "password");
    }
}
