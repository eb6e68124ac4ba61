import { Body1, Link } from "@fluentui/react-components";
import { Page } from "../components/Page";
import { hrefTo } from "./paths";

export function NotFoundPage({ path }: { path: string }) {
  return (
    <Page testId="not-found" title="Page not found">
      <Body1>
        Depot has no page at <code>{path}</code>.{" "}
        <Link href={hrefTo("dashboard")}>Go to the dashboard</Link>
      </Body1>
    </Page>
  );
}
