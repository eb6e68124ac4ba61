export { formatCount, formatDate, formatDateTime, plural } from "../../components/format";
