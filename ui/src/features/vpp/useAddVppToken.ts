import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { call, isApiError, useWorkspaceInfo } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import type { TokenFile } from "../../bindings/TokenFile";

/** `appsUrl` for demo mode's simulator instead of Apple. */
const SIMULATOR = "simulator";

export type AddVppTokenFlow = ReturnType<typeof useAddVppToken>;

/**
 * The Add Apps and Books token dialog's state: the file, the optional name,
 * whether the file is from demo mode's simulator, and the add itself. A
 * location another MDM manages answers VPP_CLAIMED; `takeOver` adds it all the same.
 */
export function useAddVppToken() {
  const client = useQueryClient();
  const [file, setFile] = useState<TokenFile | null>(null);
  const [name, setName] = useState("");
  const [fromSimulator, setFromSimulator] = useState(false);
  // Files from the simulator are offered only while demo mode runs it.
  const simulatorRunning = (useWorkspaceInfo().data?.simulatorUrl ?? null) !== null;

  const add = useMutation({
    mutationFn: ({ takeOver }: { takeOver: boolean }) => {
      if (!file) throw new Error("Choose the .vpptoken file first.");
      const trimmed = name.trim();
      return call("vpp.add", {
        file,
        ...(trimmed === "" ? {} : { name: trimmed }),
        ...(fromSimulator && simulatorRunning ? { appsUrl: SIMULATOR } : {}),
        ...(takeOver ? { takeOver: true } : {}),
      });
    },
    onSuccess: () => refreshAfter(client, "vpp"),
  });

  const claimed = isApiError(add.error) && add.error.code === "VPP_CLAIMED" ? add.error : null;

  return {
    file,
    choose: (picked: TokenFile) => {
      setFile(picked);
      add.reset();
    },
    name,
    setName: (value: string) => {
      setName(value);
      if (add.isError) add.reset();
    },
    simulatorRunning,
    fromSimulator,
    setFromSimulator: (on: boolean) => {
      setFromSimulator(on);
      add.reset();
    },
    add,
    /** Another MDM manages the location: the message, until the admin decides. */
    claimed,
    /** The first try; after VPP_CLAIMED only "Use it here anyway" goes on. */
    canSubmit: file !== null && !add.isPending && claimed === null,
    submit: () => add.mutate({ takeOver: false }),
    takeOver: () => add.mutate({ takeOver: true }),
    reset: () => {
      setFile(null);
      setName("");
      setFromSimulator(false);
      add.reset();
    },
  };
}
