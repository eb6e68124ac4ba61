import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  serverConnection,
  type BrowserConnectRequest,
  type ConnectRequest,
  type ServerStatus,
} from "../platform";

export type { BrowserConnectRequest, ConnectRequest, ServerStatus } from "../platform";

export const serverStatusKey = ["shell.serverStatus"] as const;

/** Whether this window can connect to a Depot server (the desktop app; not a browser). */
export function canConnectToServer(): boolean {
  return serverConnection() !== null;
}

/** Where the desktop window works; never loads in a browser. */
export function useServerStatus() {
  const connection = serverConnection();
  return useQuery({
    queryKey: serverStatusKey,
    queryFn: () => (connection ? connection.status() : Promise.reject(new Error("no shell"))),
    enabled: connection !== null,
  });
}

/** Reads the certificate an https server presents (nothing is sent). */
export function probeServer(url: string): Promise<string> {
  const connection = serverConnection();
  return connection ? connection.probe(url) : Promise.reject(new Error("no shell"));
}

/**
 * Connects to a server or goes back to this computer's workspace. Everything
 * cached came from the other backend, so it is all dropped.
 */
export function useServerSwitch() {
  const queryClient = useQueryClient();
  const switched = (status: ServerStatus) => {
    queryClient.setQueryData(serverStatusKey, status);
    void queryClient.resetQueries({
      predicate: (query) => query.queryKey[0] !== serverStatusKey[0],
    });
  };
  const connect = useMutation({
    mutationFn: (request: ConnectRequest) => {
      const connection = serverConnection();
      return connection ? connection.connect(request) : Promise.reject(new Error("no shell"));
    },
    onSuccess: switched,
  });
  const connectWithBrowser = useMutation({
    mutationFn: (request: BrowserConnectRequest) => {
      const connection = serverConnection();
      return connection
        ? connection.connectWithBrowser(request)
        : Promise.reject(new Error("no shell"));
    },
    onSuccess: switched,
  });
  const disconnect = useMutation({
    mutationFn: () => {
      const connection = serverConnection();
      return connection ? connection.disconnect() : Promise.reject(new Error("no shell"));
    },
    onSuccess: switched,
  });
  return { connect, connectWithBrowser, disconnect };
}
