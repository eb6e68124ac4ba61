import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ErrorAlert, ErrorState } from "./ErrorState";

function renderInTheme(ui: React.ReactElement) {
  return render(<FluentProvider theme={webLightTheme}>{ui}</FluentProvider>);
}

describe("ErrorAlert", () => {
  it("shows the title, the detail lines, the code and the actions", () => {
    renderInTheme(
      <ErrorAlert
        title="Something failed"
        code="INTERNAL"
        testId="some-error"
        actions={<button type="button">Fix it</button>}
      >
        <span>First line</span>
        <span>Second line</span>
      </ErrorAlert>,
    );
    const alert = screen.getByTestId("some-error");
    expect(alert.getAttribute("role")).toBe("alert");
    expect(alert.getAttribute("data-error-code")).toBe("INTERNAL");
    expect(within(alert).getByText("Something failed")).toBeTruthy();
    expect(within(alert).getByText("First line")).toBeTruthy();
    expect(within(alert).getByText("Second line")).toBeTruthy();
    expect(within(alert).getByText("Error code: INTERNAL")).toBeTruthy();
    expect(within(alert).getByRole("button", { name: "Fix it" })).toBeTruthy();
  });

  it("leaves out the code and the actions when there are none", () => {
    renderInTheme(
      <ErrorAlert title="Something failed" code={undefined} testId="some-error">
        <span>Only line</span>
      </ErrorAlert>,
    );
    const alert = screen.getByTestId("some-error");
    expect(alert.hasAttribute("data-error-code")).toBe(false);
    expect(within(alert).queryByText(/Error code/)).toBeNull();
    expect(within(alert).queryByRole("button")).toBeNull();
  });
});

describe("ErrorState", () => {
  it("falls back to a generic message for a non-error value and offers no retry without onRetry", () => {
    renderInTheme(<ErrorState title="Couldn't load" error="boom" />);
    const alert = screen.getByTestId("error-state");
    expect(within(alert).getByTestId("error-message").textContent).toBe(
      "An unexpected error occurred.",
    );
    expect(within(alert).queryByRole("button")).toBeNull();
  });
});

describe("ErrorState advice", () => {
  it("tells someone refused by their role to ask an administrator, not to restart", () => {
    renderInTheme(
      <ErrorState
        title="Couldn't save the enrollment URLs"
        error={{ code: "FORBIDDEN", message: "a read-only may not change settings" }}
      />,
    );
    const alert = screen.getByTestId("error-state");
    expect(alert.textContent).toContain("Ask an administrator");
    expect(alert.textContent).not.toContain("restart Depot");
  });

  it("says something not found may be deleted or out of the account's sight, not to restart", () => {
    renderInTheme(
      <ErrorState
        title="Couldn't load this token"
        error={{ code: "NOT_FOUND", message: "token 2 was not found" }}
      />,
    );
    const alert = screen.getByTestId("error-state");
    expect(alert.textContent).toContain("may have been deleted, or your account may not see it");
    expect(alert.textContent).not.toContain("restart Depot");
  });
});
