package io.batchline.model.operations;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.math.BigDecimal;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OperationPayloadsTests {

    private final Validator validator = Validation.buildDefaultValidatorFactory().getValidator();

    private Set<String> invalidFields(Object payload) {
        return validator.validate(payload).stream()
                .map(ConstraintViolation::getPropertyPath).map(Object::toString)
                .collect(Collectors.toSet());
    }

    @Test
    void negativePriceAndBlankContentIdAreRefused() {
        assertThat(invalidFields(new PriceUpdateItem("", new BigDecimal("-1")))).containsExactlyInAnyOrder("contentId", "newPrice");
        assertThat(invalidFields(new PriceUpdateItem("c-1", new BigDecimal("1000000")))).isEmpty();
    }

    @Test
    void userCreateNeedsEmailNameAndLongEnoughPassword() {
        assertThat(invalidFields(new UserCreateItem("not-an-email", "", "short")))
                .containsExactlyInAnyOrder("email", "name", "password");
    }

    @Test
    void userCreateNeverPrintsItsPassword() {
        assertThat(new UserCreateItem("a@b.io", "A", "secret-password").toString()).doesNotContain("secret-password");
    }

    @Test
    void userUpdateMustChangeSomething() {
        assertThat(invalidFields(new UserUpdateItem(UUID.randomUUID(), null, null))).containsExactly("changingSomething");
        assertThat(invalidFields(new UserUpdateItem(UUID.randomUUID(), "new@b.io", null))).isEmpty();
    }

    @Test
    void userLookupNamesExactlyOneUser() {
        assertThat(invalidFields(new UserLookupItem(null, null))).containsExactly("namingOneUser");
        assertThat(invalidFields(new UserLookupItem(UUID.randomUUID(), "a@b.io"))).containsExactly("namingOneUser");
        assertThat(invalidFields(new UserLookupItem(null, "a@b.io"))).isEmpty();
    }

    @Test
    void noopBoundsItsDelayAndFailRate() {
        assertThat(invalidFields(new NoopItem(-1L, 1.5, -1, null))).containsExactlyInAnyOrder("delayMs", "failRate", "failAttempts");
    }

    @Test
    void httpCallRefusesUnknownMethodsNonHttpUrlsAndCredentialsInTheUrl() {
        assertThat(invalidFields(new HttpCallItem("GET", "https://api.example.com/x?y=1", null, null, null))).isEmpty();
        assertThat(invalidFields(new HttpCallItem("FETCH", "ftp://api.example.com/x", null, null, null)))
                .containsExactlyInAnyOrder("method", "url");
        assertThat(invalidFields(new HttpCallItem("get", "https://user:secret@api.example.com/", null, null, null)))
                .containsExactlyInAnyOrder("method", "url");
        assertThat(invalidFields(new HttpCallItem("GET", "/relative", null, null, null))).containsExactly("url");
        assertThat(invalidFields(new HttpCallItem("GET", "http://", null, null, null))).containsExactly("url");
        assertThat(invalidFields(new HttpCallItem("GET", "http://bad host/", null, null, null))).containsExactly("url");
    }

    @Test
    void httpCallRefusesHeaderInjectionReservedHeadersAndLargeBodies() {
        assertThat(invalidFields(new HttpCallItem("POST", "https://a.example.com/",
                java.util.Map.of("X-Ok", "fine", "Authorization", "Bearer t"), "{}", java.util.List.of(200, 201)))).isEmpty();
        assertThat(invalidFields(new HttpCallItem("POST", "https://a.example.com/",
                java.util.Map.of("X-Evil", "a\r\nHost: internal"), null, null))).singleElement().asString().startsWith("headers");
        assertThat(invalidFields(new HttpCallItem("POST", "https://a.example.com/",
                java.util.Map.of("Bad Name", "x"), null, null))).singleElement().asString().startsWith("headers");
        assertThat(invalidFields(new HttpCallItem("POST", "https://a.example.com/",
                java.util.Map.of("Host", "internal"), null, null))).singleElement().asString().startsWith("headers");
        assertThat(invalidFields(new HttpCallItem("POST", "https://a.example.com/", null,
                "x".repeat(HttpCallItem.MAX_BODY_CHARS + 1), null))).containsExactly("body");
        assertThat(invalidFields(new HttpCallItem("GET", "https://a.example.com/", null, null, java.util.List.of(99))))
                .singleElement().asString().startsWith("expectStatus");
    }

    @Test
    void httpCallSucceedsOn2xxUnlessToldOtherwise() {
        assertThat(new HttpCallItem("GET", "https://a.example.com/", null, null, null).expects(204)).isTrue();
        assertThat(new HttpCallItem("GET", "https://a.example.com/", null, null, null).expects(302)).isFalse();
        assertThat(new HttpCallItem("GET", "https://a.example.com/", null, null, java.util.List.of(404)).expects(404)).isTrue();
        assertThat(new HttpCallItem("GET", "https://a.example.com/", java.util.Map.of("Authorization", "secret-token"),
                null, null).toString()).doesNotContain("secret-token");
    }

    @Test
    void everyBuiltInOperationIsFoundByName() {
        for (Operation<?> operation : Operations.BUILT_IN) {
            assertThat(Operations.byName(operation.name())).contains(operation);
        }
        assertThat(Operations.byName("nope")).isEmpty();
    }
}
