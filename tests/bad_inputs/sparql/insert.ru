INSERT DATA { GRAPH <urn:x:hostile> { <urn:x:s> <urn:x:p> "written without permission" } }
