import { useMutation, useQueryClient } from "@tanstack/react-query";
import { call, queryKeys } from "../../app/api";
import { refreshAfter } from "../../app/invalidation";
import type { ProfileSummary } from "../../bindings/ProfileSummary";

/** Set/clear default and retry upload, shared by the list and the detail page. */
export function useProfileMutations() {
  const client = useQueryClient();
  const refresh = () => refreshAfter(client, "profile");
  const setDefault = useMutation({
    mutationFn: (profile: ProfileSummary) => call("profiles.setDefault", { id: profile.id }),
    onSuccess: refresh,
  });
  const clearDefault = useMutation({
    mutationFn: (profile: ProfileSummary) =>
      call("profiles.clearDefault", { tokenId: profile.tokenId, platform: profile.platform }),
    onSuccess: refresh,
  });
  const retryUpload = useMutation({
    mutationFn: (profile: ProfileSummary) => call("profiles.retryUpload", { id: profile.id }),
    onSuccess: async (saved) => {
      client.setQueryData(queryKeys.profile(saved.detail.summary.id), saved.detail);
      if (saved.reassignment) {
        client.setQueryData(queryKeys.assignment(saved.reassignment.id), saved.reassignment);
      }
      await refresh();
    },
  });
  return { setDefault, clearDefault, retryUpload };
}
